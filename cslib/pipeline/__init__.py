"""The pipeline: plans fanned out into documents, built on executors, gated and recorded.

A QBR's way from ``cslib build`` to its files, one module a step:

1. :mod:`~cslib.pipeline.plan` reads the plan and expands it into jobs for a period;
2. :mod:`~cslib.pipeline.scope` cuts each job's slice of the data (isolation);
3. :mod:`~cslib.pipeline.executors` hands jobs to an executor (``local``: warm
   workers of :mod:`~cslib.pipeline.pool` forking per document,
   :mod:`~cslib.pipeline.fork`; ``kernel``; ``dask``); each runs
   :mod:`~cslib.pipeline.worker` (execute, assemble, render one document);
4. :mod:`~cslib.pipeline.guard` scans the bytes (leaks, secrets, slices) and
   :mod:`~cslib.pipeline.output` writes them whole;
5. :mod:`~cslib.pipeline.ledger` records each outcome (journal, ``build.json``,
   cache keys) and :mod:`~cslib.pipeline.index` writes ``index.html``;
   :mod:`~cslib.pipeline.progress` says how far it got.

:mod:`~cslib.pipeline.build` holds the two entry points, ``build_plan``
(``cslib build``) and ``render_notebook`` (``cslib render``).
"""
