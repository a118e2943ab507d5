"""Faults real machines have: a worker killed, SIGTERM, a hung document, a full or read-only
disk, two builds at once. Nothing is lost, nothing is half-written, nothing is left running.

Each test runs ``cslib build`` as a real subprocess, in a session of its own, with an
environment marker that every process it starts inherits (workers, forks, kernels), so
the test can tell whether anything was left behind.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from conftest import communicate_or_dump

pytestmark = pytest.mark.slow

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
PROBE = Path(__file__).resolve().parents[1] / "fixtures" / "fault_probe.ipynb"
CSLIB = [sys.executable, "-m", "cslib.cli"]
IDS = ["A0001", "A0002", "A0003", "A0004", "A0005", "A0006"]


def _plan(tmp_path: Path, *, fault: str = "", target: str = "", once: str = "",
          ids: list[str] = IDS, extra: str = "", output: str = "out") -> Path:
    plan = tmp_path / "plan.yaml"
    plan.write_text(f"""company: Larkspur Analytics
output: {output}
period: 2026Q3
formats: [html]
{extra}documents:
  - name: probe
    notebook: {PROBE}
    for_each: account
    accounts: {{ids: [{", ".join(ids)}], paying: false}}
    parameters: {{fault: "{fault}", target: "{target}", once: "{once}"}}
""")
    return plan


def _env(mark: str) -> dict[str, str]:
    return {**os.environ, "CSLIB_TEST_MARK": mark}


def _left_behind(mark: str) -> list[str]:
    """Processes still running that were started by the build (they carry its marker)."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            if f"CSLIB_TEST_MARK={mark}".encode() in (proc / "environ").read_bytes():
                state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
                if state != "Z":
                    found.append(f"{proc.name}: {(proc / 'cmdline').read_bytes()[:80]!r}")
        except OSError:
            continue
    return found


def _assert_nothing_left(mark: str) -> None:
    deadline = time.monotonic() + 10  # a kernel notices its parent is gone within a second
    while _left_behind(mark) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _left_behind(mark), _left_behind(mark)


def _run(args: list[str], mark: str, **kw) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CSLIB, *args], capture_output=True, text=True, timeout=600,
                          env=_env(mark), **kw)


def _ledger(out: Path) -> dict[str, dict]:
    return {d["key"]: d for d in json.loads((out / "build.json").read_text())["documents"]}


def _files_recorded(out: Path) -> None:
    """Every document on disk is in the ledger and the index, and every recorded file exists."""
    ledger = _ledger(out)
    recorded = {f for d in ledger.values() for f in d["files"].values()}
    on_disk = {str(p.relative_to(out)) for p in out.rglob("*.html") if p.name != "index.html"}
    assert on_disk == recorded
    index = (out / "index.html").read_text()
    for name in recorded:
        assert f'href="{name}"' in index
    assert not list(out.rglob("*.tmp"))


# A worker dies ---------------------------------------------------------------------------
@pytest.mark.parametrize("executor", ["local", "kernel"])
def test_a_worker_killed_fails_only_its_document_and_the_rest_build(tmp_path, executor):
    mark = uuid.uuid4().hex
    plan = _plan(tmp_path, fault="kill-worker", target="A0003",
                 ids=IDS if executor == "local" else IDS[:3])
    done = _run(["build", str(plan), "--jobs", "2", "--executor", executor], mark)
    assert done.returncode == 1, done.stderr
    assert "internal error" not in done.stderr and "BrokenProcessPool" not in done.stderr
    out = tmp_path / "out" / "sample" / "2026Q3"
    ledger = _ledger(out)
    crashed = {k: d for k, d in ledger.items() if d["status"] != "built"}
    (only,) = crashed.values()
    assert only["key"].startswith("probe/a0003-"), crashed
    assert only["status"] == "crashed"
    assert "died (killed by SIGKILL" in only["error"] and "also when tried again" in only["error"]
    assert len(ledger) == (6 if executor == "local" else 3)
    _files_recorded(out)
    assert "FAILED probe/a0003" in done.stderr and "crashed" in (out / "index.html").read_text()
    _assert_nothing_left(mark)


def test_a_document_whose_worker_died_once_is_built_on_a_new_worker(tmp_path):
    mark = uuid.uuid4().hex
    plan = _plan(tmp_path, fault="kill-worker", target="A0002", once=str(tmp_path / "struck"))
    done = _run(["build", str(plan), "--jobs", "2"], mark)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "struck").exists()  # it did kill its worker the first time
    out = tmp_path / "out" / "sample" / "2026Q3"
    assert {d["status"] for d in _ledger(out).values()} == {"built"}
    _files_recorded(out)
    _assert_nothing_left(mark)


def test_a_report_process_killed_is_retried_once_then_crashed(tmp_path):
    mark = uuid.uuid4().hex
    plan = _plan(tmp_path, fault="kill-report", target="A0005")
    done = _run(["build", str(plan), "--jobs", "2"], mark)
    assert done.returncode == 1
    ledger = _ledger(tmp_path / "out" / "sample" / "2026Q3")
    statuses = sorted(d["status"] for d in ledger.values())
    assert statuses == ["built"] * 5 + ["crashed"]
    _assert_nothing_left(mark)


# A hung document ---------------------------------------------------------------------------
def test_a_hung_document_is_stopped_at_the_time_limit_and_fails_alone(tmp_path):
    mark = uuid.uuid4().hex
    plan = _plan(tmp_path, fault="hang", target="A0004")
    started = time.monotonic()
    done = _run(["build", str(plan), "--jobs", "2", "--timeout", "8"], mark)
    assert time.monotonic() - started < 300
    assert done.returncode == 1, done.stderr
    ledger = _ledger(tmp_path / "out" / "sample" / "2026Q3")
    hung = [d for d in ledger.values() if d["status"] != "built"]
    assert len(hung) == 1 and hung[0]["key"].startswith("probe/a0004")
    assert hung[0]["status"] == "failed"
    assert hung[0]["error"].startswith("timed out: still running after 8 s, so it was stopped")
    assert sum(d["status"] == "built" for d in ledger.values()) == 5
    _assert_nothing_left(mark)


def test_the_time_limit_is_a_plan_setting_too(tmp_path):
    from cslib.pipeline.plan import DEFAULT_TIMEOUT, load_plan

    assert load_plan(_plan(tmp_path)).timeout == DEFAULT_TIMEOUT == 600
    assert load_plan(_plan(tmp_path, extra="timeout: 90\n")).timeout == 90
    bad = _run(["build", str(_plan(tmp_path, extra="timeout: 0\n"))], "x")
    assert bad.returncode == 2
    assert "timeout must be a number of seconds between 1 and 86400, got 0" in bad.stderr


# SIGTERM -----------------------------------------------------------------------------------
def _start(plan: Path, mark: str, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen([*CSLIB, "build", str(plan), "--jobs", "2", *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, env=_env(mark))


def _wait_for(out: Path, proc: subprocess.Popen[str], at_least: int) -> None:
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and proc.poll() is None:
        if len(list(out.glob("probe/*.html"))) >= at_least:
            return
        time.sleep(0.05)
    raise AssertionError(f"the build wrote fewer than {at_least} documents in time")


@pytest.mark.parametrize("whom", ["group", "build"])
def test_sigterm_stops_workers_writes_the_ledger_and_exits_143(tmp_path, whom):
    """``timeout`` and systemd signal the whole group; ``kill PID`` only the build."""
    mark = uuid.uuid4().hex
    # A0006 hangs, once: it keeps the build busy when the signal comes, not the rerun.
    plan = _plan(tmp_path, fault="hang", target="A0006", ids=IDS, once=str(tmp_path / "hung"))
    out = tmp_path / "out" / "sample" / "2026Q3"
    proc = _start(plan, mark)
    _wait_for(out, proc, 2)
    if whom == "group":
        os.killpg(proc.pid, signal.SIGTERM)
    else:
        os.kill(proc.pid, signal.SIGTERM)
    _, stderr = communicate_or_dump(proc, 120)
    assert proc.returncode == 143, stderr
    assert "Traceback" not in stderr and "internal error" not in stderr
    assert "Stopped by SIGTERM: " in stderr and "  not built: probe/" in stderr
    ledger = _ledger(out)
    assert len(ledger) == len(IDS)
    assert {d["status"] for d in ledger.values()} == {"built", "skipped"}
    assert {d["error"] for d in ledger.values() if d["status"] == "skipped"} == {
        "not built: the build was stopped (SIGTERM)"}
    _files_recorded(out)
    _assert_nothing_left(mark)
    again = _run(["build", str(plan)], mark)
    built = sum(d["status"] == "built" for d in ledger.values())
    assert again.returncode == 0, again.stderr
    assert f"({built} up to date, not rebuilt)" in again.stdout
    assert {d["status"] for d in _ledger(out).values()} == {"built"}


def test_a_build_killed_with_sigkill_leaves_no_worker_behind(tmp_path):
    mark = uuid.uuid4().hex
    plan = _plan(tmp_path, fault="hang", target="A0006")
    out = tmp_path / "out" / "sample" / "2026Q3"
    proc = _start(plan, mark)
    _wait_for(out, proc, 2)
    proc.send_signal(signal.SIGKILL)  # the build alone: its workers must not live on
    proc.communicate(timeout=60)
    _assert_nothing_left(mark)


# Output errors -----------------------------------------------------------------------------
def test_an_output_that_is_a_file_is_one_clear_error(tmp_path):
    (tmp_path / "out").write_text("not a folder")
    done = _run(["build", str(_plan(tmp_path))], "x")
    assert done.returncode == 2
    assert done.stderr.strip() == (
        f"cslib: error: cannot create the output folder {tmp_path / 'out' / 'sample' / '2026Q3'}: "
        "a file is in the way where a folder is needed."
    )


def _unshare() -> list[str]:
    """A private mount namespace (as the invoking user) to mount a small or read-only tmpfs."""
    exe = shutil.which("unshare")
    if exe is None:
        pytest.skip("unshare (util-linux) is not installed")
    probe = subprocess.run([exe, "--user", "--map-root-user", "--mount", "true"],
                           capture_output=True)
    if probe.returncode != 0:
        pytest.skip("user and mount namespaces are not available here")
    return [exe, "--user", "--map-root-user", "--mount"]


def test_a_read_only_output_folder_is_refused_before_any_document(tmp_path):
    ns = _unshare()
    out = tmp_path / "out"
    out.mkdir()
    script = (f"mount -t tmpfs -o ro,size=1m none {out} && "
              f"exec {sys.executable} -m cslib.cli build {_plan(tmp_path)}")
    done = subprocess.run([*ns, "sh", "-c", script], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip() == (
        f"cslib: error: cannot create the output folder {out / 'sample' / '2026Q3'}: "
        "the file system is read-only."
    )
    assert "Building" not in done.stdout  # refused before the first document


def test_a_full_disk_stops_the_build_cleanly_and_the_next_run_resumes(tmp_path):
    ns = _unshare()
    out = tmp_path / "out"
    out.mkdir()
    plan = _plan(tmp_path)
    build = f"{sys.executable} -m cslib.cli build {plan} --jobs 1"
    # About two documents fit; then the disk is full. Then it is made larger and run again.
    script = (f"mount -t tmpfs -o size=200k none {out} && {{ {build} > {tmp_path}/1.out "
              f"2> {tmp_path}/1.err; echo $? > {tmp_path}/1.rc; }}; "
              f"ls -R {out} > {tmp_path}/1.ls; "
              f"mount -o remount,size=64m {out} && {build} > {tmp_path}/2.out 2> {tmp_path}/2.err"
              f"; echo $? > {tmp_path}/2.rc; "
              f"cat {out}/sample/2026Q3/build.json > {tmp_path}/2.json")
    subprocess.run([*ns, "sh", "-c", script], timeout=600, env=_env("x"))
    first_err = (tmp_path / "1.err").read_text()
    assert (tmp_path / "1.rc").read_text().strip() == "2", first_err
    assert "internal error" not in first_err and "Traceback" not in first_err
    assert "cslib: error: cannot write " + str(out / "sample" / "2026Q3") in first_err
    assert ": no space left on the device." in first_err
    assert "Run the same command again to build the rest" in first_err
    assert ".tmp" not in (tmp_path / "1.ls").read_text()  # nothing half-written left
    second_err = (tmp_path / "2.err").read_text()
    assert (tmp_path / "2.rc").read_text().strip() == "0", second_err
    ledger = json.loads((tmp_path / "2.json").read_text())["documents"]
    assert [d["status"] for d in ledger] == ["built"] * len(IDS)
    assert "up to date, not rebuilt" in (tmp_path / "2.out").read_text()


# Two builds at once ------------------------------------------------------------------------
def test_a_second_build_into_the_same_folder_is_refused_and_nothing_is_lost(tmp_path):
    mark = uuid.uuid4().hex
    plan = tmp_path / "plan.yaml"
    plan.write_text(f"""company: Larkspur Analytics
output: out
period: 2026Q3
formats: [html]
documents:
  - name: probe
    notebook: {PROBE}
    for_each: account
    accounts: {{ids: [{", ".join(IDS)}], paying: false}}
    parameters: {{fault: hang, target: A0006}}
  - name: other
    notebook: {PROBE}
    for_each: account
    accounts: {{ids: [A0007, A0008], paying: false}}
""")
    out = tmp_path / "out" / "sample" / "2026Q3"
    first = _start(plan, mark, "--only", "probe")  # A0006 hangs: it is still building
    _wait_for(out, first, 1)
    second = _run(["build", str(plan), "--only", "other"], mark)
    assert second.returncode == 2
    assert second.stderr.startswith(f"cslib: error: another build is writing into {out} (pid "
                                    f"{first.pid}, started ")
    assert second.stderr.rstrip().endswith(
        "; wait for it to end, or build into another output folder.")
    first.terminate()
    first.communicate(timeout=120)
    assert first.returncode == 143
    again = _run(["build", str(plan), "--only", "other"], mark)
    assert again.returncode == 0, again.stderr
    ledger = _ledger(out)
    assert len(ledger) == len(IDS) + 2  # both builds' documents, none lost
    _files_recorded(out)


def test_a_signal_during_a_documents_write_waits_for_the_write_to_end():
    from cslib.pipeline.signals import Terminated, signals_deferred, stop_on_sigterm

    steps = []
    with pytest.raises(Terminated), stop_on_sigterm(), signals_deferred():
        os.kill(os.getpid(), signal.SIGTERM)
        steps.append("files written")
        os.kill(os.getpid(), signal.SIGINT)
        steps.append("journal written")
    assert steps == ["files written", "journal written"]
    with stop_on_sigterm(), signals_deferred(reraise=False):  # the build is already stopping
        os.kill(os.getpid(), signal.SIGTERM)
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL
