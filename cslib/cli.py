"""The ``cslib`` command line: parses arguments and calls the library, nothing else.

Every :class:`~cslib.errors.CslibError` becomes one line on stderr and a
non-zero exit code, never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import faulthandler
import json
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import IO

from cslib import __version__
from cslib.data.load import load, unrecognized_files
from cslib.data.sources import SHOW_QUERIES, is_database
from cslib.errors import CslibError, DataError, OutputClosedError, ParameterError
from cslib.metrics.summary import period_metrics
from cslib.periods import period_or_latest
from cslib.present.metrics_text import FORMATS, render
from cslib.secrets import credentials, mask_text
from cslib.startup import lean_imports
from cslib.terminal import discard_output, echo, flush, log_to_stderr, terminal_text

EXIT_CODES = """exit codes:
  0    done
  1    cslib build: some documents failed (the others are written)
  2    bad input: data, period, parameters, a plan or settings file, a file or
       folder that cannot be read or written; or a build that stopped early
  3    internal error (a bug: run again with CSLIB_DEBUG=1 for the traceback)
  130  interrupted (Ctrl-C)
  141  the reader of the output went away (| head)
  143  stopped by SIGTERM"""


class _Parser(argparse.ArgumentParser):
    """argparse's parser, whose usage and error lines go through :func:`terminal_text` too."""

    def _print_message(self, message: str, file: IO[str] | None = None) -> None:
        if message:
            echo(message, err=file is not sys.stdout, end="")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="cslib",
        description="Customer Success reporting toolkit: validate data, compute metrics, "
        "build reports.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"cslib {__version__}")
    loud = parser.add_mutually_exclusive_group()
    loud.add_argument("-q", "--quiet", action="store_true",
                      help="print results and errors only (no progress, no notes)")
    loud.add_argument("-v", "--verbose", action="store_true",
                      help="also log what cslib does (debug messages on stderr)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("validate", help="check a dataset against the data contract")
    p.add_argument("data", metavar="DATA", nargs="?", help="folder of CSV or Parquet files, "
                   "one per table; or a database URL, DuckDB file or YAML source file (or "
                   "--data DATA, as every other command takes it)")
    p.add_argument("--data", dest="data_option", metavar="DATA", help="the same as DATA")
    _show_queries_arg(p)
    p.add_argument("--json", action="store_true", help="print the summary as JSON")

    p = sub.add_parser("metrics", help="a period's headline metrics (JSON contract)")
    _metrics_args(p)
    p.add_argument("--format", choices=FORMATS, default="json", help="output format")

    p = sub.add_parser(
        "report-metrics",
        help="write a period's metrics (json, csv, table) under OUT/<dataset>/<period>/",
    )
    _metrics_args(p, plan=True)
    p.add_argument("--out", required=True, type=Path,
                   help="reports folder (files go to OUT/<dataset>/<period>/)")

    p = sub.add_parser(
        "build", help="build a report plan (board pack, segment reviews, QBRs) for a period"
    )
    p.add_argument("plan", type=Path, metavar="PLAN", help="plan file, e.g. params/quarterly.yaml")
    p.add_argument("--period", help="period to report on (default: the plan's, else the latest "
                   "complete quarter in the data)")
    p.add_argument("--data", metavar="DATA", help="dataset folder, database URL, DuckDB file "
                   "or YAML source file (overrides the plan's `data`)")
    p.add_argument("--out", type=Path, metavar="DIR",
                   help="reports folder (overrides the plan's `output`; documents go to "
                   "DIR/<dataset>/<period>/)")
    _show_queries_arg(p)
    p.add_argument("--jobs", "-j", type=int, metavar="N",
                   help="documents built at once (default: one per core)")
    p.add_argument("--force", action="store_true",
                   help="rebuild every document, even those that are up to date")
    p.add_argument("--retry-failed", action="store_true",
                   help="rebuild only the documents the last build failed")
    p.add_argument("--fail-fast", action="store_true", help="stop at the first failure")
    p.add_argument("--timeout", type=float, metavar="SECONDS",
                   help="stop and fail a document still running after this long (default: "
                   "the plan's `timeout`, else 600)")
    p.add_argument("--executor", choices=("local", "kernel", "dask"), default="local",
                   help="local: warm workers, a fresh fork per document (default); "
                   "kernel: papermill with a new Jupyter kernel per notebook; "
                   "dask: a Dask distributed cluster (with --scheduler)")
    p.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                   help="the Dask scheduler for --executor dask")
    p.add_argument("--only", action="append", default=[], metavar="NAME",
                   help="build only this plan document (repeatable)")
    p.add_argument("--dry-run", action="store_true",
                   help="list the documents that would be built and those up to date; "
                   "build and write nothing")
    p.add_argument("--max-same-failures", type=int, default=None, metavar="N",
                   help="stop when the first N documents to finish all failed with the same "
                   "error (default: the plan's max_same_failures, else 10; 0: never)")
    _backend_args(p)

    p = sub.add_parser("render", help="build one document from one notebook")
    p.add_argument("notebook", type=Path, metavar="NOTEBOOK",
                   help="report notebook (.ipynb) or Quarto document (.qmd)")
    p.add_argument("-p", "--parameter", nargs=2, action="append", default=[],
                   metavar=("NAME", "VALUE"), help="set a notebook parameter (repeatable)")
    p.add_argument("--to", default="html,pdf",
                   help="formats, comma-separated, among html,pdf,pptx (default: html,pdf)")
    p.add_argument("--out", type=Path, default=Path("reports"), help="output folder")
    p.add_argument("--name", help="file name without extension (default: from the parameters)")
    p.add_argument("--pptx-template", metavar="PPTX",
                   help="the .pptx master a deck is styled with (e.g. params/qbr-template.pptx)")
    _backend_args(p)
    _show_queries_arg(p)

    p = sub.add_parser("new", help="scaffold a report notebook from a template and add it to "
                       "a plan")
    p.add_argument("name", metavar="NAME", help="lowercase name, words joined by - or _: "
                   "notebooks/NAME.ipynb and the plan's document NAME")
    p.add_argument("--kind", required=True, choices=("customer", "segment", "company"),
                   help="one document per customer, per segment, or one for the company")
    p.add_argument("--plan", type=Path, default=Path("params/quarterly.yaml"),
                   help="plan to add the document to (default: params/quarterly.yaml)")
    p.add_argument("--no-plan", action="store_true", help="write the notebook only")
    p.add_argument("--title", default="", help="the document's title (default: from NAME)")
    p.add_argument("--format", choices=("ipynb", "qmd"), default="ipynb",
                   help="Jupyter notebook (default) or Quarto document")
    p.add_argument("--dir", type=Path, default=Path("notebooks"),
                   help="folder for the notebook (default: notebooks)")

    p = sub.add_parser("init", help="create a new reporting project (notebooks, a plan) that "
                       "builds with `cslib build`")
    p.add_argument("dir", type=Path, metavar="DIR", help="the project folder (new or empty)")
    p.add_argument("--company", default="Your Company",
                   help="your company's name, on every cover (default: Your Company)")
    p.add_argument("--force", action="store_true",
                   help="add the project to a folder that holds files (nothing is overwritten)")

    p = sub.add_parser("sample", help="(re)generate the deterministic sample company")
    p.add_argument("dest", type=Path, metavar="DIR", help="folder to write the CSV files to")
    p.add_argument("--accounts", type=int, default=400, help="number of accounts")

    p = sub.add_parser("health", help="health score tools (`cslib health backtest`)")
    health = p.add_subparsers(dest="health_command", required=True, metavar="COMMAND")
    b = health.add_parser(
        "backtest", help="does the health score predict churn? Scores every past quarter's "
        "accounts as of its start and compares with who was lost")
    b.add_argument("--data", required=True, metavar="DATA",
                   help="dataset folder, database URL, DuckDB file, YAML source file or sample")
    b.add_argument("--from", dest="first", default="", metavar="QUARTER",
                   help="first quarter to score (e.g. 2025Q1; default: the first with a "
                   "quarter of data before it)")
    b.add_argument("--to", dest="last", default="", metavar="QUARTER",
                   help="last quarter to score (default: the latest complete one)")
    b.add_argument("--format", choices=FORMATS, default="table", help="output format")
    b.add_argument("--health-config", type=Path, metavar="YAML",
                   help="health score settings (default: params/health.yaml's defaults)")
    b.add_argument("--risk-config", type=Path, metavar="YAML",
                   help="risk flag settings (default: params/risk.yaml's defaults)")
    b.add_argument("--fiscal-year-start", type=int, default=1, metavar="MONTH",
                   help="first month of the fiscal year, 1-12 (default 1)")
    _show_queries_arg(b)

    from cslib.data.importers import IMPORTERS

    p = sub.add_parser("import", help="turn a public dataset into the data contract (CSV "
                       "folder), validated before it is written")
    p.add_argument("kind", choices=sorted(IMPORTERS), metavar="KIND",
                   help=f"the source's layout: {', '.join(sorted(IMPORTERS))}")
    p.add_argument("src", type=Path, metavar="SRC", help="folder holding the source's files")
    p.add_argument("dest", type=Path, metavar="DEST",
                   help="dataset folder to write (new, or one an earlier import wrote)")
    p = sub.add_parser("schema", help="print the JSON Schema of plan or source files")
    p.add_argument("kind", choices=("plan", "source"), metavar="KIND", help="plan or source")
    for command in [*sub.choices.values(), *health.choices.values()]:  # `cslib build ... -q`
        loud = command.add_mutually_exclusive_group()
        loud.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS,
                          help="print results and errors only")
        loud.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS,
                          help="also log debug messages on stderr")
    return parser


def _backend_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--backend", choices=("builtin", "quarto", "auto"),
                   help="renderer: builtin (default), quarto, or auto (quarto when on PATH)")
    p.add_argument("--quarto", metavar="PATH", help="the quarto executable to use")


def _show_queries_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--show-queries", action="store_true",
                   help="print every SQL statement sent to a database source on stderr")


def _metrics_args(p: argparse.ArgumentParser, *, plan: bool = False) -> None:
    p.add_argument("--data", metavar="DATA",
                   help="dataset folder, database URL, DuckDB file or YAML source file"
                   + (" (default: the plan's `data`)" if plan else ""),
                   **({} if plan else {"required": True}))
    if plan:
        p.add_argument("--plan", type=Path, metavar="PLAN",
                       help="a plan file: its `data`, `currency` and `locale`")
    _show_queries_arg(p)
    p.add_argument("--currency", default="",
                   help="ISO 4217 code money is written in by --format table (default USD, "
                   "or the plan's)")
    p.add_argument("--locale", default="",
                   help="locale of the table's numbers, e.g. de_DE (default en_US, or the plan's)")
    p.add_argument(
        "--period",
        help="2026Q3, 2026-09, 2026 or TTM2026-09 (default: latest complete quarter)",
    )
    p.add_argument("--by", help="account column to break down by (segment, region, csm, ...)")
    p.add_argument(
        "--fiscal-year-start", type=int, default=1, metavar="MONTH",
        help="first month of the fiscal year, 1-12 (default 1)",
    )  # fmt: skip


def _compute(args: argparse.Namespace) -> dict:
    if getattr(args, "plan", None) is not None and not args.data:
        from cslib.pipeline.plan import load_plan
        from cslib.present.report import resolve_data

        dataset = resolve_data(load_plan(args.plan).data)
    elif args.data:
        dataset = load(args.data)
    else:
        raise ParameterError(f"{args.command}: which dataset? Give --data DATA or --plan PLAN.")
    period = period_or_latest(args.period, dataset.last_month,
                              fiscal_year_start_month=args.fiscal_year_start)
    return period_metrics(dataset, period=period, by=args.by)


def _cmd_health(args: argparse.Namespace) -> int:
    from cslib.metrics.backtest import run_backtest
    from cslib.metrics.health import HealthConfig, load_health_config
    from cslib.metrics.risk import RiskSettings, load_risk_settings
    from cslib.present.backtest import backtest_csv, backtest_text

    if not 1 <= args.fiscal_year_start <= 12:
        raise ParameterError(f"--fiscal-year-start must be 1-12, got {args.fiscal_year_start}.")
    config = load_health_config(args.health_config) if args.health_config \
        else HealthConfig.default()
    settings = load_risk_settings(args.risk_config) if args.risk_config else RiskSettings()
    from cslib.present.report import resolve_data

    result = run_backtest(resolve_data(args.data), first=args.first, last=args.last,
                          fiscal_year_start=args.fiscal_year_start, config=config,
                          settings=settings)
    if args.format == "json":
        echo(json.dumps(result, indent=2, allow_nan=False))
    elif args.format == "csv":
        echo(backtest_csv(result), end="")
    else:
        echo(backtest_text(result), end="")
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    if args.data and args.data_option and args.data != args.data_option:
        raise ParameterError(f"validate: DATA {args.data!r} and --data {args.data_option!r} "
                             "differ; give one.")
    args.data = args.data or args.data_option
    if not args.data:
        raise ParameterError("validate: which dataset? Give --data DATA (a folder, database "
                             "URL, DuckDB file or YAML source file).")
    summary = load(args.data).summary()
    if args.json:
        echo(json.dumps(summary, indent=2))
        return 0
    echo(f"OK: {terminal_text(summary['source'], one_line=True)} meets the data contract")
    echo(
        f"  months {summary['first_month']}..{summary['last_month']} ({summary['months']}), "
        f"{summary['accounts']} accounts, fingerprint {str(summary['fingerprint'])[:12]}"
    )
    for name, info in summary["tables"].items():  # type: ignore[union-attr]
        span = f"  {info['from']}..{info['to']}" if "from" in info else ""
        echo(f"  {name:<12} {info['rows']:>9,} rows{span}")
    ignored = [] if is_database(args.data) else unrecognized_files(args.data)
    if ignored:
        names = ", ".join(terminal_text(name, one_line=True) for name in ignored)
        echo(f"  ignored (not contract tables): {names}")
    missing = summary["missing_tables"]
    if missing:
        echo(f"  not present (optional; their report sections will say so): {', '.join(missing)}")
    return 0


def _cmd_metrics(args: argparse.Namespace) -> int:
    from cslib.present.locale import use_locale

    result = _compute(args)
    with use_locale(args.currency, args.locale):  # the table's money and numbers only
        echo(render(result, args.format), end="")
    return 0


def _cmd_report_metrics(args: argparse.Namespace) -> int:
    from cslib.pipeline.plan import load_plan
    from cslib.pipeline.runs import run_dir
    from cslib.present.locale import use_locale

    plan = load_plan(args.plan) if getattr(args, "plan", None) is not None else None
    result = _compute(args)
    # OUT/<dataset>/<period>, as builds: --data over a plan's makes its own run, as build's does
    folder = run_dir(args.out, str(args.data) if args.data else plan.data,  # type: ignore[union-attr]
                     result["period"], run=plan.run if plan and not args.data else "")
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"metrics-by-{args.by}" if args.by else "metrics"
    from cslib.pipeline.output import write_atomic

    with use_locale(args.currency or (plan.currency if plan else ""),
                    args.locale or (plan.locale if plan else "")):
        table = render(result, "table")
    for fmt, suffix in (("json", "json"), ("csv", "csv"), ("table", "txt")):
        write_atomic(folder / f"{stem}.{suffix}", table if fmt == "table" else render(result, fmt))
    echo(table, end="")
    echo(f"\nWrote {folder}/{stem}.json, .csv and .txt")
    return 0


def _cmd_build(args: argparse.Namespace) -> int:
    from cslib.pipeline.build import build_plan
    from cslib.pipeline.plan import MAX_TIMEOUT, load_plan
    from cslib.pipeline.summary import dry_run_lines, failure_lines

    if args.jobs is not None and args.jobs < 1:
        raise ParameterError(f"--jobs must be at least 1, got {args.jobs}.")
    if args.timeout is not None and not 1 <= args.timeout <= MAX_TIMEOUT:
        raise ParameterError(f"--timeout must be a number of seconds between 1 and "
                             f"{MAX_TIMEOUT:g}, got {args.timeout:g}.")
    plan = load_plan(args.plan)
    if args.data:
        data = args.data if "://" in args.data else str(Path(args.data).resolve())
        plan = dataclasses.replace(plan, data=data, run="")  # its own folder: not the plan's run
    if args.out is not None:
        plan = dataclasses.replace(plan, output=args.out.resolve())
    if args.max_same_failures is not None and args.max_same_failures < 0:
        raise ParameterError(f"--max-same-failures must be 0 or more, got "
                             f"{args.max_same_failures}.")
    result = build_plan(
        plan, period=args.period, backend=args.backend, quarto=args.quarto, only=args.only,
        workers=args.jobs, executor=args.executor, force=args.force,
        retry_failed=args.retry_failed, fail_fast=args.fail_fast, scheduler=args.scheduler,
        timeout=args.timeout, dry_run=args.dry_run,
        echo=(lambda line: None) if args.quiet else None,
        max_same_failures=args.max_same_failures,
    )
    if args.dry_run:
        for line in dry_run_lines(result, verbose=args.verbose):
            echo(line)
        return 0
    failed = result.failed
    reused = sum(o.reused for o in result.outcomes)
    if result.interrupted or result.error:
        built = [o for o in result.outcomes if o.status == "built"]
        missing = [o.key for o in result.outcomes if o.status != "built"]
        shown = ", ".join(missing[:8]) + (f" and {len(missing) - 8} more" if len(missing) > 8
                                          else "")
        head = ("Stopped by SIGTERM" if result.terminated else "Interrupted"
                if result.interrupted else f"cslib: error: {result.error}\nStopped")
        echo(
            f"{head}: {len(built)} of {len(result.outcomes)} documents ready ({reused} up "
            f"to date), {len(missing)} not built; every file written is complete and recorded."
            f"\n  not built: {shown}\n"
            f"  Run the same command again to build the rest; index: "
            f"{result.out_dir / 'index.html'}",
            err=True,
        )
        return 143 if result.terminated else 130 if result.interrupted else 2
    if not args.quiet or failed:
        echo(
            f"{len(result.outcomes) - len(failed)} of {len(result.outcomes)} documents ready "
            f"({reused} up to date, not rebuilt) in {result.seconds:.1f} s; "
            f"index: {result.out_dir / 'index.html'}"
        )
    for line in failure_lines(failed):
        echo(line, err=True)
    kept = [o for o in failed if (result.out_dir / "_failed" / f"{o.key}.ipynb").is_file()]
    if kept:
        echo(f"  executed notebooks of failures kept in {result.out_dir / '_failed'}",
              err=True)
    return 1 if failed else 0


def _cmd_render(args: argparse.Namespace) -> int:
    from cslib.pipeline.build import render_notebook

    names = [n for n, _ in args.parameter]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ParameterError(f"parameter given twice: {', '.join(dupes)}.")
    formats = [f.strip() for f in args.to.split(",") if f.strip()]
    outcome = render_notebook(
        args.notebook,
        dict(args.parameter),
        formats=formats,
        out_dir=args.out,
        name=args.name,
        backend=args.backend or "builtin",
        quarto=args.quarto,
        pptx_template=args.pptx_template,
    )
    for path in outcome.files.values():
        echo(args.out / path)
    return 0


def _cmd_new(args: argparse.Namespace) -> int:
    from cslib.authoring.new import new_report

    made = new_report(args.name, kind=args.kind, plan=None if args.no_plan else args.plan,
                      title=args.title, fmt=args.format, folder=args.dir)
    echo(f"Created {made.notebook} ({args.kind} report; open it in JupyterLab: make lab)")
    if made.plan is not None:
        echo(f"Added document {made.document!r} to {made.plan}: `make reports` builds it")
    return 0


def _cmd_schema(args: argparse.Namespace) -> int:
    from cslib.schemas import shipped_text

    echo(shipped_text(args.kind), end="")
    return 0


def _cmd_init(args: argparse.Namespace) -> int:
    from cslib.authoring.init import init_project

    made = init_project(args.dir, company=args.company, force=args.force)
    if not args.quiet:
        echo(f"Created a reporting project in {made.root}: {len(made.notebooks)} notebooks in "
             f"notebooks/, the plan {made.plan.relative_to(made.root)}.")
        echo(f"Next: cd {made.root} && cslib build {made.plan.relative_to(made.root)}")
    return 0


def _cmd_sample(args: argparse.Namespace) -> int:
    from cslib.data import sample

    try:
        paths = sample.write(args.dest, n_accounts=args.accounts)
    except ParameterError as exc:  # an argument out of range
        raise ParameterError(f"--accounts: {exc}") from None
    echo(f"Wrote {len(paths)} tables to {args.dest}")
    return 0


def _cmd_import(args: argparse.Namespace) -> int:
    from cslib.data.importers import IMPORTERS

    echo(IMPORTERS[args.kind](args.src, args.dest).line())
    return 0


def _known_secrets(args: argparse.Namespace, argv: Sequence[str]) -> list[str]:
    """The passwords (every spelling) of URLs given to this command, to mask in any error.

    From the arguments themselves and the ``data`` a plan file names.
    """
    values = [a for a in argv if "://" in a]
    plan = getattr(args, "plan", None)
    if isinstance(plan, Path):
        try:
            from cslib.settings import read_yaml

            data = (read_yaml(plan) or {}).get("data")  # type: ignore[union-attr]
            values += [data] if isinstance(data, str) else []
        except (CslibError, AttributeError, OSError):
            pass
    return sorted({spelling for value in values for spelling in credentials(value)})


#: The exit status of a command whose reader went away, as a shell reports a process
#: killed by SIGPIPE (128 + 13): ``cslib validate DIR | head -1`` ends like ``yes | head -1``.
EXIT_PIPE_CLOSED = 141


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code.

    When the reader of the output goes away (``| head -1``), the command ends
    quietly with :data:`EXIT_PIPE_CLOSED`: no message, no traceback.
    """
    lean_imports()  # before any command imports nbformat (see cslib.startup)
    try:
        try:
            return _main(argv)
        finally:  # a pipe's output is written here: a gone reader shows up now
            flush()
    except OutputClosedError:
        discard_output()
        return EXIT_PIPE_CLOSED


def _main(argv: Sequence[str] | None) -> int:
    from cslib.pipeline.output import describe_os_error
    from cslib.pipeline.signals import Terminated, stop_on_sigterm

    argv = list(sys.argv[1:] if argv is None else argv)
    args = _parser().parse_args(argv)
    log_to_stderr(quiet=args.quiet, verbose=args.verbose)
    if hasattr(signal, "SIGUSR1") and sys.stderr is not None:
        # `kill -USR1 PID` prints where a running command is, for a build that seems stuck.
        with contextlib.suppress(ValueError, OSError, AttributeError):
            faulthandler.register(signal.SIGUSR1, all_threads=True, chain=False)
    if getattr(args, "show_queries", False):  # inherited by kernels and workers
        os.environ[SHOW_QUERIES] = "1"
    handler = {
        "validate": _cmd_validate,
        "metrics": _cmd_metrics,
        "report-metrics": _cmd_report_metrics,
        "build": _cmd_build,
        "render": _cmd_render,
        "sample": _cmd_sample,
        "import": _cmd_import,
        "new": _cmd_new,
        "init": _cmd_init,
        "health": _cmd_health,
        "schema": _cmd_schema,
    }[args.command]
    try:
        with stop_on_sigterm():  # SIGTERM (timeout, systemd, CI) ends like Ctrl-C
            return handler(args)
    except CslibError as exc:
        kind = "invalid data" if isinstance(exc, DataError) else "error"
        echo(f"cslib: {kind}: {mask_text(str(exc), _known_secrets(args, argv))}", err=True)
        return exc.exit_code
    except Terminated:
        echo("cslib: stopped by SIGTERM", err=True)
        return 143
    except KeyboardInterrupt:
        echo("cslib: interrupted", err=True)
        return 130
    except OutputClosedError:
        raise
    except OSError as exc:  # a file or folder the command cannot read or write
        if os.environ.get("CSLIB_DEBUG"):
            raise
        where = f"{exc.filename}: " if exc.filename else ""
        echo(f"cslib: error: {mask_text(where, _known_secrets(args, argv))}"
             f"{describe_os_error(exc)}.", err=True)
        return 2
    except Exception as exc:  # a bug: still one line, unless asked for the traceback
        if os.environ.get("CSLIB_DEBUG"):
            raise
        shown = mask_text(f"{type(exc).__name__}: {exc}", _known_secrets(args, argv))
        echo(
            f"cslib: internal error: {shown} "
            "(run again with CSLIB_DEBUG=1 for the traceback, and please report it)",
            err=True,
        )
        return 3


if __name__ == "__main__":
    sys.exit(main())
