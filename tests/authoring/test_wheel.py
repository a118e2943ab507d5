"""Installable, not only forkable: a wheel in a clean environment builds a `cslib init` project.

The wheel is built from this checkout, installed with its core dependencies only (no
extras; pinned by requirements.txt, from uv's cache that `make env` filled) into a new
virtual environment outside the repository, and run from a folder outside it too: `cslib
init`, then `cslib build` of the project's plan. Templates, schemas and the sample company
come from the package, never from the checkout.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
UV = Path(sys.executable).with_name("uv")


def _run(*argv: object, cwd: Path, env: dict[str, str] | None = None,
         timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in argv], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, check=False, env=env)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    done = _run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                "--no-build-isolation", "-w", out, ROOT, cwd=out)
    assert done.returncode == 0, done.stderr
    (path,) = out.glob("cslib-*.whl")
    return path


def test_the_wheel_holds_the_package_data(wheel) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in ("cslib/render/templates/report.typ", "cslib/render/templates/report.css",
                   "cslib/authoring/templates/new-company.qmd",
                   "cslib/authoring/templates/new-customer.qmd",
                   "cslib/schemas/plan.schema.json", "cslib/schemas/source.schema.json",
                   "cslib/data/sample/__init__.py"):
        assert needed in names, needed
    assert not [n for n in names if n.startswith(("tests/", "notebooks/", "data/"))]


@pytest.mark.skipif(not UV.is_file(), reason="uv is installed by `make env`")
def test_a_clean_install_builds_a_project_made_by_cslib_init(wheel, tmp_path) -> None:
    venv = tmp_path / "venv"
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "VIRTUAL_ENV", "CSLIB_QUARTO")}
    made = _run(UV, "venv", "--quiet", "--python", sys.executable, venv, cwd=tmp_path, env=env)
    assert made.returncode == 0, made.stderr
    python, cslib = venv / "bin" / "python", venv / "bin" / "cslib"
    installed = _run(UV, "pip", "install", "--quiet", "--python", python, wheel,
                     "--constraint", ROOT / "requirements.txt", cwd=tmp_path, env=env,
                     timeout=600)
    assert installed.returncode == 0, installed.stderr
    where = _run(python, "-c", "import cslib, importlib.util as u; print(cslib.__file__); "
                 "print([m for m in ('sqlalchemy', 'duckdb', 'pptx') if u.find_spec(m)])",
                 cwd=tmp_path, env=env)
    assert where.returncode == 0, where.stderr
    file, extras = where.stdout.splitlines()
    assert file.startswith(str(venv)) and extras == "[]"  # installed, no extras

    project = tmp_path / "acme"
    init = _run(cslib, "init", project, "--company", "Acme Corp", cwd=tmp_path, env=env)
    assert init.returncode == 0, init.stderr
    assert (project / "params" / "reports.yaml").is_file()
    assert '"$schema"' in (project / "params" / "plan.schema.json").read_text()
    again = _run(cslib, "init", project, cwd=tmp_path, env=env)
    assert again.returncode == 2 and "is not empty" in again.stderr

    built = _run(cslib, "build", "params/reports.yaml", "--only", "board-pack", "--only", "qbr",
                 cwd=project, env=env, timeout=600)
    assert built.returncode == 0, built.stderr + built.stdout
    out = project / "reports" / "sample" / "2026Q3"
    assert (out / "board-pack.pdf").read_bytes().startswith(b"%PDF")
    page = (out / "board-pack.html").read_text(encoding="utf-8")
    assert "Acme Corp" in page and "Board pack" in page
    assert len(list((out / "qbr").glob("*.pdf"))) == 5
    # A database source without the warehouse extra: a clear message, not a traceback.
    (project / "x.duckdb").write_bytes(b"")
    no_db = _run(cslib, "validate", "--data", "x.duckdb", cwd=project, env=env)
    assert no_db.returncode == 2, no_db.stderr
    assert "the `warehouse` extra is needed for database sources: pip install " in no_db.stderr
