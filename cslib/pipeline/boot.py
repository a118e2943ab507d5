"""Where the worker processes a build starts begin: lean imports first, then their loop.

A spawned process imports its target's module before it runs a line of it;
this module imports nothing heavy, so :func:`cslib.startup.lean_imports` runs
before the pool's and the warm process's imports (nbformat among them).

``python -m cslib.pipeline.boot BACKEND QUARTO`` starts a warm process
(:func:`cslib.pipeline.warm.main`, Dask workers' builds).
"""

from __future__ import annotations

from typing import Any

from cslib.startup import lean_imports

__all__ = ["pool_worker"]


def pool_worker(*args: Any) -> None:
    """A local build worker (:func:`cslib.pipeline.pool._worker_main`)."""
    lean_imports()
    from cslib.pipeline.pool import _worker_main

    _worker_main(*args)


if __name__ == "__main__":
    lean_imports()
    from cslib.pipeline.warm import main

    raise SystemExit(main())
