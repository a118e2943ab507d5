"""`make lab`: JupyterLab on the project, with the project's kernel, on loopback only.

The commands are taken from ``make -n lab`` (so the test follows the
Makefile) and run for real: the kernelspec goes to a private prefix instead
of the venv, and the server is started on a free port, asked for its status,
kernels and files with its token, and stopped (a few seconds).
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / ".venv" / "bin"
PORT = 8899


def _make(*args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAKE")}
    done = subprocess.run(
        ["make", "--no-print-directory", "-C", str(ROOT), "-o", str(ROOT / ".venv" / ".installed"),
         *args], capture_output=True, text=True, timeout=60, check=True, env=env)
    return done.stdout


def lab_commands(port: int = PORT) -> list[str]:
    """The shell commands `make lab LAB_PORT=port` runs, continuation lines joined."""
    text = _make("-n", "lab", f"LAB_PORT={port}")
    return [line for line in re.sub(r"\\\n\s*", "", text).splitlines() if line.strip()]


def test_make_lab_installs_the_kernel_then_serves_the_project_on_loopback():
    assert lab_commands() == [
        f'{BIN}/python -m ipykernel install --sys-prefix --name cslib --display-name '
        '"cslib (project)"',
        f"cd {ROOT} && {BIN}/jupyter lab --no-browser --ip=127.0.0.1 --port={PORT} "
        f'--notebook-dir={ROOT} $([ "$(id -u)" = 0 ] && echo --allow-root)',
    ]
    assert "--port=8888 " in lab_commands(8888)[1]
    assert re.search(r"^  make lab: open JupyterLab", _make("help"), re.M)


def _get(url: str, token: str | None, *, patience: float = 30.0) -> tuple[int, dict]:
    """GET ``url``; a refused connection is tried again for ``patience`` seconds.

    The server prints its URL a moment before it accepts connections, longer on a
    busy machine: a refusal then means "not yet", not "broken".
    """
    request = urllib.request.Request(url)
    if token:
        request.add_header("Authorization", f"token {token}")
    deadline = time.monotonic() + patience
    while True:
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as exc:
            return exc.code, {}
        except urllib.error.URLError as exc:
            refused = isinstance(exc.reason, ConnectionRefusedError)
            if not refused or time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@pytest.mark.skipif(os.name != "posix", reason="process groups and bash")
def test_the_kernel_installs_and_the_server_answers(tmp_path):
    install, serve = lab_commands()
    # The kernelspec, into a private prefix (the venv is left as it is).
    subprocess.run(["bash", "-c", install.replace("--sys-prefix", f"--prefix {tmp_path}")],
                   check=True, capture_output=True, timeout=120)
    kernels = tmp_path / "share" / "jupyter"
    spec = json.loads((kernels / "kernels" / "cslib" / "kernel.json").read_text())
    assert spec["display_name"] == "cslib (project)"
    assert Path(spec["argv"][0]) == BIN / "python"  # the project's interpreter, by its path
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "JUPYTER_PATH": str(kernels), "JUPYTER_RUNTIME_DIR": str(tmp_path / "rt"),
           "JUPYTER_CONFIG_DIR": str(tmp_path / "config")}
    log = tmp_path / "lab.log"
    with log.open("w") as out:
        server = subprocess.Popen(["bash", "-c", serve.replace(f"--port={PORT}", f"--port={port}")],
                                  stdout=out, stderr=subprocess.STDOUT, env=env,
                                  start_new_session=True)
    try:
        start, found = time.monotonic(), None
        while found is None and time.monotonic() - start < 60 and server.poll() is None:
            time.sleep(0.2)
            found = re.search(r"http://127\.0\.0\.1:(\d+)/lab\?token=([0-9a-f]+)", log.read_text())
        assert found, log.read_text()[-2000:]
        base, token = f"http://127.0.0.1:{found.group(1)}", found.group(2)
        status, body = _get(f"{base}/api/status", token)
        assert status == 200 and "started" in body
        status, body = _get(f"{base}/api/kernelspecs", token)
        assert status == 200 and body["kernelspecs"]["cslib"]["spec"]["display_name"] == \
            "cslib (project)"
        status, body = _get(f"{base}/api/contents/notebooks", token)  # --notebook-dir is ROOT
        assert {"customer_qbr.ipynb", "board_pack.ipynb"} <= {c["name"] for c in body["content"]}
        assert _get(f"{base}/api/contents", None)[0] == 403  # nothing without the token
        print(f"server ready in {time.monotonic() - start:.1f} s", file=sys.stderr)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
