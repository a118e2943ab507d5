"""Where a build's workers start: forked from a warm fork server, with the build's folder,
environment and umask of the moment; the preload module warms nothing anywhere else."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from multiprocessing.connection import Connection
from pathlib import Path

import nbformat
import pytest

from cslib.pipeline.boot import Inherited, worker_context

pytestmark = pytest.mark.slow


def _report(conn: Connection, inherited: Inherited | None) -> None:
    """Say what this process held when it began, then what it holds once it took ``inherited``."""
    began = {"ipython": "IPython.core.interactiveshell" in sys.modules,
             "compiler": "cslib.render.compiler" in sys.modules,
             "frozen": gc.get_freeze_count(),
             "schema": [key[1:] for key in sys.modules["nbformat.validator"].validators]}
    if inherited is not None:
        inherited.apply()
    mask = os.umask(0)
    os.umask(mask)
    conn.send({**began, "cwd": os.getcwd(), "probe": os.environ.get("CSLIB_TEST_PROBE"),
               "umask": mask, "ppid": os.getppid()})
    conn.close()


def _start(inherited: Inherited | None) -> dict:
    context = worker_context()
    parent, child = context.Pipe()
    process = context.Process(target=_report, args=(child, inherited), daemon=True)
    process.start()
    child.close()
    try:
        assert parent.poll(300), "the worker said nothing"
        return parent.recv()
    finally:
        process.join(30)
        parent.close()


def test_a_worker_begins_warm_and_takes_the_builds_state_of_now(tmp_path, monkeypatch):
    _start(None)  # the server is running (started now, or by an earlier build here)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CSLIB_TEST_PROBE", "now")
    old = os.umask(0o027)
    try:
        state = _start(Inherited())
        cold = _start(None)
    finally:
        os.umask(old)
    # Warm: the report modules imported and everything frozen before the worker's first line.
    assert state["ipython"] and state["compiler"] and state["frozen"] > 10_000
    assert (4, nbformat.v4.nbformat_minor, False) in state["schema"]  # compiled, not per fork
    assert state["ppid"] != os.getpid()  # forked by the server, not by this process
    assert (state["cwd"], state["probe"], state["umask"]) == (str(tmp_path), "now", 0o027)
    # No file is open in the server: its forks would share the file's offset (two workers
    # reading the house font through one offset garbled its glyphs).
    fds = Path(f"/proc/{state['ppid']}/fd")
    opened = [os.readlink(fd) for fd in fds.iterdir() if int(fd.name) > 2]
    assert opened and not [f for f in opened if f.startswith("/") and f != "/dev/null"], opened
    # Without what the build hands over, a fork has the server's older state: the reason for it.
    assert (cold["cwd"], cold["probe"]) != (str(tmp_path), "now")


def test_the_preload_module_warms_nothing_outside_the_fork_server():
    code = ("import sys, gc, cslib.pipeline.preload; "
            "print('IPython' in sys.modules, gc.get_freeze_count())")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=True)
    assert done.stdout.split() == ["False", "0"]
