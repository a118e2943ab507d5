"""Benchmark the batch engine: customer QBRs (HTML and PDF) from the sample data.

Builds N QBRs with `cslib build`'s engine (warm workers, a fresh fork per
report, in-process rendering), then a subset the plain way (one `papermill`
and one `jupyter nbconvert --to html --no-input` command per customer, as the
notebooks would be run by hand), then rebuilds the N with nothing changed.
Prints seconds per report, the speed-up, the no-change rebuild time and the
peak memory of the whole process tree. One run; the machine is shared, so
read the ratio rather than the absolute figures.

    python bench/bench_reports.py [--reports 140] [--plain 4] [--jobs N] [--accounts 1300]

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=140, help="QBRs built by the engine")
    parser.add_argument("--plain", type=int, default=4, help="QBRs built the plain way")
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

    plain = plain_way(unique[: args.plain], work, data)
    plain_per = statistics.median(plain)
    print(f"plain way (papermill + jupyter nbconvert, HTML only, one at a time): median "
          f"{plain_per:.2f} s per report over {len(plain)}")
    print(f"speed-up per report: {plain_per / per_report:.1f}x "
          f"(plain median / engine wall time per report)")
    if len(unique) < 1000:
        print(f"1,000 QBRs at this rate: about {1000 * per_report / 60:.1f} min")


if __name__ == "__main__":
    main()
