"""Benchmark the batch engine: customer QBRs (HTML and PDF) from the sample data.

Builds N QBRs with `cslib build`'s engine (warm workers, a fresh fork per
report, in-process rendering, HTML and PDF) and rebuilds them with nothing
changed; then, on the first ``--pool`` of the same customers, what a competent
user would script (papermill's Python API in a pool of ``--jobs`` processes,
nbconvert's HTMLExporter in-process, HTML only); then a few the plain way (one
`papermill` and one `jupyter nbconvert --to html --no-input` command per
customer); then (``--dask``) the same N on a local Dask cluster (a scheduler and
``--jobs`` worker processes). Prints seconds per report, the ratios, the
no-change rebuild time and the peak memory of the whole process tree. One run;
the machine is shared, so read the ratios rather than the absolute figures.

    python bench/bench_reports.py [--reports 140] [--pool 24] [--plain 4] [--jobs N]
        [--accounts 1300] [--dask]

With ``--accounts`` a larger company is generated (same generator as the
sample) so that ``--reports 1000`` builds 1,000 distinct QBRs.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
QBR = ROOT / "notebooks" / "customer_qbr.ipynb"


class PeakMemory:
    """Samples the resident memory of this process and all its children."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            total = 0
            for proc in [me, *me.children(recursive=True)]:
                with contextlib.suppress(psutil.Error):
                    total += proc.memory_info().rss
            self.peak = max(self.peak, total)
            time.sleep(0.1)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def plain_way(accounts: list[str], work: Path, data: str) -> list[float]:
    times = []
    for account in accounts:
        start = time.perf_counter()
        out = work / f"qbr-{account}.ipynb"
        subprocess.run(
            [str(BIN / "papermill"), str(QBR), str(out), "-p", "account_id", account,
             "-p", "data", data, "--cwd", str(QBR.parent), "--no-progress-bar"],
            check=True, capture_output=True,
        )
        subprocess.run(
            [str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(out)],
            check=True, capture_output=True,
        )
        times.append(time.perf_counter() - start)
    return times


def _papermill_one(job: tuple[str, str, str]) -> float:
    """One QBR the scripted way: papermill's Python API, then nbconvert's HTMLExporter."""
    import nbformat
    import papermill
    from nbconvert import HTMLExporter

    account, data, out = job
    start = time.perf_counter()
    nb = papermill.execute_notebook(str(QBR), None, parameters={"account_id": account,
                                    "data": data}, cwd=str(QBR.parent), progress_bar=False,
                                    log_output=False)
    html, _ = HTMLExporter(exclude_input=True).from_notebook_node(nbformat.from_dict(nb))
    Path(out).write_text(html, encoding="utf-8")
    return time.perf_counter() - start


def pool_way(accounts: list[str], work: Path, data: str, jobs: int) -> float:
    """Wall seconds for ``accounts`` built by a pool of ``jobs`` processes (the scripted way)."""
    import multiprocessing

    tasks = [(a, data, str(work / f"pool-{a}.html")) for a in accounts]
    start = time.perf_counter()
    with multiprocessing.get_context("spawn").Pool(jobs) as pool:
        pool.map(_papermill_one, tasks, chunksize=1)
    return time.perf_counter() - start


def dask_way(plan: object, jobs: int) -> tuple[float, int]:
    """Wall seconds and documents built for ``plan`` on a local Dask cluster of ``jobs``."""
    from distributed import LocalCluster

    from cslib.pipeline.build import build_plan

    with LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster:
        start = time.perf_counter()
        result = build_plan(plan, period="2026Q3", executor="dask", force=True,
                            scheduler=cluster.scheduler_address, echo=lambda line: None)
        seconds = time.perf_counter() - start
    return seconds, sum(o.status == "built" for o in result.outcomes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=140, help="QBRs built by the engine")
    parser.add_argument("--plain", type=int, default=4, help="QBRs built the plain way")
    parser.add_argument("--pool", type=int, default=24,
                        help="QBRs built by the scripted papermill pool")
    parser.add_argument("--dask", action="store_true",
                        help="also build the N on a local Dask cluster")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="engine workers")
    parser.add_argument("--accounts", type=int, default=0,
                        help="generate a company this large instead of the 400-account sample")
    args = parser.parse_args()

    from cslib.periods import Period
    from cslib.pipeline.build import build_plan
    from cslib.pipeline.plan import AccountFilter, load_plan
    from cslib.present.report import resolve_data

    work = Path(tempfile.mkdtemp(prefix="cslib-bench-"))
    data = "sample"
    if args.accounts:
        from cslib.data.sample import write

        write(work / "data", n_accounts=args.accounts)
        data = str(work / "data")
    company = resolve_data(data)
    unique = AccountFilter().select(company, Period.parse("2026Q3"), where="bench")
    unique = unique[: args.reports]
    plan_file = work / "plan.yaml"
    plan_file.write_text(
        f"company: Larkspur Analytics\ndata: {data}\noutput: out\nformats: [html, pdf]\n"
        "documents:\n"
        f"  - name: qbr\n    notebook: {QBR}\n    for_each: account\n"
        f"    accounts: {{ids: [{', '.join(unique)}]}}\n"
    )
    plan = load_plan(plan_file)
    print(f"cslib report benchmark: {len(unique)} QBRs (HTML + PDF), {args.jobs} workers, "
          f"{os.cpu_count()} cores; work folder {work}")

    with PeakMemory() as memory:
        start = time.perf_counter()
        result = build_plan(plan, period="2026Q3", workers=args.jobs, echo=lambda line: None)
        engine = time.perf_counter() - start
    failed = [o.key for o in result.outcomes if o.status != "built"]
    per_report = engine / len(result.outcomes)
    inside = statistics.median(o.seconds for o in result.outcomes)
    print(f"engine: {engine:.1f} s for {len(result.outcomes)} reports = {per_report:.2f} s per "
          f"report (wall, {args.jobs} workers); median {inside:.2f} s inside one worker; "
          f"{len(failed)} failed; peak memory {memory.peak / 2**30:.2f} GiB")

    start = time.perf_counter()
    again = build_plan(plan, period="2026Q3", workers=args.jobs, echo=lambda line: None)
    rebuild = time.perf_counter() - start
    print(f"no-change rebuild: {rebuild:.1f} s ({sum(o.reused for o in again.outcomes)} of "
          f"{len(again.outcomes)} up to date)")

    pool_accounts = unique[: args.pool]
    pool_wall = pool_way(pool_accounts, work, data, args.jobs)
    pool_per = pool_wall / len(pool_accounts)
    print(f"scripted pool (papermill API in {args.jobs} processes + nbconvert HTMLExporter, "
          f"HTML only): {pool_wall:.1f} s for {len(pool_accounts)} = {pool_per:.2f} s per "
          f"report -> engine (HTML + PDF) is {pool_per / per_report:.1f}x faster")

    plain = plain_way(unique[: args.plain], work, data)
    plain_per = statistics.median(plain)
    print(f"plain way (papermill + jupyter nbconvert, HTML only, one at a time): median "
          f"{plain_per:.2f} s per report over {len(plain)}")
    print(f"speed-up per report: {plain_per / per_report:.1f}x "
          f"(plain median / engine wall time per report)")
    if args.dask:
        dask_wall, dask_built = dask_way(plan, args.jobs)
        dask_per = dask_wall / max(dask_built, 1)
        print(f"dask (local cluster, {args.jobs} worker processes): {dask_wall:.1f} s for "
              f"{dask_built} reports = {dask_per:.2f} s per report = "
              f"{dask_per / per_report:.2f}x the local executor")
    if len(unique) < 1000:
        print(f"1,000 QBRs at this rate: about {1000 * per_report / 60:.1f} min")


if __name__ == "__main__":
    main()
