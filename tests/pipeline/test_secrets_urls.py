"""A database URL's password never shows, however it is spelled: with ``/``, a space, ``@``,
``#``, ``:`` or percent-encoding, in error messages, the ledger, kept notebooks and documents."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest

from cslib.execute.parameters import secret_parameters
from cslib.secrets import credentials, mask_parameters, mask_text, mask_url

pytestmark = pytest.mark.slow

FIXTURES = Path(__file__).parents[1] / "fixtures"
NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
CSLIB = [sys.executable, "-m", "cslib.cli"]
PG_URL = os.environ.get("CSLIB_TEST_POSTGRES_URL", "")

PASSWORDS = [
    "hunter2/slash",
    "hunter2 space",
    "hunter2@at@sign",
    "hunter2#hash",
    "hunter2:colon",
    "hunter2%2Fpct%40enc",  # percent-encoded "/" and "@"
    "Zq!$&'()*+,;=-._~x",  # every other character a URL may carry
]


def _url(password: str, host: str = "db.internal:5432") -> str:
    return f"postgresql://cs_reader:{password}@{host}/analytics?sslmode=require"


def _pieces(password: str) -> list[str]:
    """What must not show: the password, decoded, encoded, and its parts around separators."""
    from urllib.parse import unquote

    out = {password, unquote(password), quote(unquote(password), safe="")}
    for sep in "/ @#:%":
        out |= {p for p in password.split(sep) if len(p) >= 4 and p != "hunter2"}
    return sorted(out)


@pytest.mark.parametrize("password", PASSWORDS)
def test_a_url_is_shown_with_its_password_masked_whole(password):
    url = _url(password)
    assert mask_url(url) == "postgresql://cs_reader:***@db.internal:5432/analytics?sslmode=require"
    assert mask_parameters({"data": url}) == {"data": mask_url(url)}
    for text in (f"could not connect to {url}: timeout", f"data = {url!r}", url):
        shown = mask_text(text, [url])
        for piece in _pieces(password):
            assert piece not in shown, (piece, shown)
    assert credentials(url)  # a parameter holding it is a secret parameter
    assert secret_parameters(FIXTURES / "secret_probe.ipynb", {"data": url}) == {"data": url}


@pytest.mark.parametrize("password", [p for p in PASSWORDS if " " not in p])
def test_free_text_masks_a_urls_password_without_knowing_it(password):
    shown = mask_text(f"error: cannot open {_url(password)} (refused)")
    assert shown == ("error: cannot open postgresql://cs_reader:***@db.internal:5432/analytics"
                     "?sslmode=require (refused)")


def test_a_password_with_a_space_is_masked_where_the_url_is_known():
    url = _url("hunter2 space")
    assert "space" not in mask_text("driver said: password 'hunter2 space' refused", [url])


@pytest.mark.parametrize("password", PASSWORDS)
def test_the_command_line_never_prints_the_password(tmp_path, password):
    url = _url(password, host="127.0.0.1:1")  # nothing listens on port 1
    for args in (["validate", url], ["metrics", "--data", url]):
        done = subprocess.run([*CSLIB, *args], capture_output=True, text=True, timeout=120)
        assert done.returncode == 2, done.stderr
        assert done.stderr.startswith("cslib: "), done.stderr
        if "@" in password:  # refused before any connection: it would reach the wrong host
            assert "holds a raw '@', which a URL cannot carry as it is" in done.stderr
        for piece in _pieces(password):
            assert piece not in done.stdout + done.stderr, (piece, done.stderr)


@pytest.mark.skipif(not PG_URL, reason="no PostgreSQL server: run `make test`, which starts one")
def test_a_build_from_a_database_writes_its_password_nowhere(tmp_path):
    """The throwaway server trusts loopback, so a password with every hard character connects;
    one document fails on purpose, so a notebook is kept under _failed/ too."""
    from conftest import postgres_database, write_database

    from cslib.data.load import load
    from cslib.pipeline.leaks import pdf_text

    own = postgres_database(PG_URL, "cslib_secrets")
    write_database(load(NOTEBOOKS.parent / "data" / "sample"), own)
    password = "p/ss w#rd:x%2F%40y"
    url = own.replace("postgresql://cslib@", f"postgresql://cslib:{password}@")
    assert url != own
    plan = tmp_path / "plan.yaml"
    plan.write_text(f"""company: Larkspur Analytics
data: "{url}"
output: out
period: 2026Q3
documents:
  - name: qbr
    notebook: {NOTEBOOKS / "customer_qbr.ipynb"}
    for_each: account
    accounts: {{ids: [A0004]}}
  - name: probe
    notebook: {FIXTURES / "secret_probe.ipynb"}
    for_each: account
    accounts: {{ids: [A0001]}}
    parameters: {{mode: fail}}
""")
    done = subprocess.run([*CSLIB, "build", str(plan)], capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 1, done.stderr  # the probe fails, the QBR is built
    out = tmp_path / "out" / "cslib-secrets" / "2026Q3"
    assert list(out.glob("_failed/**/*.ipynb")) and list(out.glob("qbr/*.pdf"))
    written = [done.stdout, done.stderr]
    for path in out.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            written.append(data.decode("utf-8", "replace"))
            if path.suffix == ".pdf":
                written.append(pdf_text(data))
    everything = "\n".join(written)
    for piece in ("p/ss", "w#rd", "rd:x", "%2F%40y", "x/@y", "ss w"):
        assert piece not in everything, piece
    assert '"data": "***"' in (out / "build.json").read_text()  # a secret parameter: masked
