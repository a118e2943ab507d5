"""Contract tests of the Quarto backend (cslib.render.quarto) with a stand-in CLI.

Quarto cannot be installed here, so ``tests/fixtures/fake_quarto/quarto`` (a
standard-library Python script) mimics the part of Quarto's command line that
the wrapper relies on; see its docstring. Each test copies it into
``tmp_path`` (so a lost executable bit in a checkout does not matter), points
its shebang at this interpreter, and puts it first on ``PATH``.
"""

from __future__ import annotations

import json
import os
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest
from nbformat import v4

from cslib.errors import CslibError, ParameterError, QuartoError
from cslib.render.quarto import (
    INSTALL_HINT,
    choose_backend,
    find_quarto,
    quarto_version,
    render_with_quarto,
)
from cslib.secrets import mask_text as mask_secrets

pytestmark = [
    pytest.mark.skipif(os.name != "posix", reason="the stand-in is a POSIX script"),
    pytest.mark.slow,
]

SECRET = "s3cr3t-pw"
TABLE_MD = "| Metric | Value |\n| :--- | ---: |\n| NRR | 104.3% |"


class Fake:
    """The stand-in's executable and the log of its calls."""

    def __init__(self, exe: Path, log: Path) -> None:
        self.exe = exe
        self.log = log

    def calls(self) -> list[dict]:
        if not self.log.exists():
            return []
        return [json.loads(line) for line in self.log.read_text().splitlines()]

    def renders(self) -> list[list[str]]:
        return [c["argv"] for c in self.calls() if c["argv"][:1] == ["render"]]


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch):
    for name in ("CSLIB_QUARTO", "FAKE_QUARTO_FAIL", "FAKE_QUARTO_SLEEP", "FAKE_QUARTO_NO_OUTPUT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("FAKE_QUARTO_VERSION", raising=False)


@pytest.fixture
def empty_path(tmp_path, monkeypatch) -> Path:
    """PATH holding only an empty folder: no quarto anywhere."""
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    return empty


@pytest.fixture
def fake(fake_exe, tmp_path, monkeypatch) -> Fake:
    """The stand-in first on PATH, logging its calls."""
    log = tmp_path / "calls.jsonl"
    monkeypatch.setenv("PATH", f"{fake_exe.parent}{os.pathsep}{os.environ.get('PATH', '')}")
    monkeypatch.setenv("FAKE_QUARTO_LOG", str(log))
    return Fake(fake_exe, log)


@pytest.fixture
def notebook(tmp_path) -> Path:
    """A tiny executed, papermill-parameterized notebook."""
    nb = v4.new_notebook()
    params = v4.new_code_cell("customer = 'demo'\ndb_url = None")
    params.metadata["tags"] = ["parameters"]
    injected = v4.new_code_cell(f"customer = 'acme'\ndb_url = 'postgresql://cs:{SECRET}@db/cs'")
    injected.metadata["tags"] = ["injected-parameters"]
    printed = v4.new_code_cell(
        "print('hello from the notebook')",
        outputs=[v4.new_output("stream", name="stdout", text="hello from the notebook\n")],
        execution_count=3,
    )
    table = v4.new_code_cell(
        "nrr_table",
        outputs=[
            v4.new_output(
                "display_data",
                data={"text/markdown": TABLE_MD, "text/html": "<table>...</table>"},
            )
        ],
        execution_count=4,
    )
    nb.cells = [v4.new_markdown_cell("# Quarterly review"), params, injected, printed, table]
    nb.metadata["papermill"] = {"parameters": {"customer": "acme", "db_url": SECRET}}
    folder = tmp_path / "notebooks"
    folder.mkdir()
    path = folder / "qbr-acme.ipynb"
    nbformat.write(nb, path)
    return path


def value_after(argv: list[str], flag: str) -> str:
    return argv[argv.index(flag) + 1]


def metadata_of(argv: list[str]) -> list[str]:
    return [argv[i + 1] for i, a in enumerate(argv) if a == "-M"]


# --- finding Quarto ----------------------------------------------------------------------


def test_find_quarto_on_path(fake):
    assert find_quarto() == str(fake.exe)


def test_find_quarto_missing(empty_path):
    assert find_quarto() is None


def test_find_quarto_explicit_path_wins(fake_exe, empty_path):
    assert find_quarto(fake_exe) == str(fake_exe)
    assert find_quarto(str(fake_exe)) == str(fake_exe)


def test_find_quarto_explicit_name_is_looked_up_on_path(fake):
    assert find_quarto("quarto") == str(fake.exe)


def test_find_quarto_env_var(fake_exe, empty_path, monkeypatch):
    monkeypatch.setenv("CSLIB_QUARTO", str(fake_exe))
    assert find_quarto() == str(fake_exe)


def test_find_quarto_explicit_problems(tmp_path, empty_path):
    with pytest.raises(QuartoError, match="does not exist"):
        find_quarto(tmp_path / "nowhere" / "quarto")
    plain = tmp_path / "plain"
    plain.write_text("not a program")
    plain.chmod(0o644)
    with pytest.raises(QuartoError, match="not executable"):
        find_quarto(plain)
    with pytest.raises(QuartoError, match="is a folder"):
        find_quarto(tmp_path)
    with pytest.raises(QuartoError, match="not found on PATH"):
        find_quarto("quarto")


def test_bad_env_var_is_an_error_not_a_fallback(fake, tmp_path, monkeypatch):
    monkeypatch.setenv("CSLIB_QUARTO", str(tmp_path / "missing-quarto"))
    with pytest.raises(QuartoError, match="CSLIB_QUARTO"):
        find_quarto()


def test_quarto_error_is_a_cslib_error():
    assert issubclass(QuartoError, CslibError)


# --- version -----------------------------------------------------------------------------


def test_quarto_version(fake, monkeypatch):
    assert quarto_version(fake.exe) == "1.6.40"
    monkeypatch.setenv("FAKE_QUARTO_VERSION", "1.7.31")
    assert quarto_version(str(fake.exe)) == "1.7.31"
    assert fake.calls()[-1]["argv"] == ["--version"]


def test_quarto_version_of_something_else(tmp_path):
    other = tmp_path / "other"
    other.write_text("#!/bin/sh\necho hello\n")
    other.chmod(0o755)
    with pytest.raises(QuartoError, match="printed no version"):
        quarto_version(other)


# --- rendering ---------------------------------------------------------------------------


def test_render_html_and_pdf(fake, notebook, tmp_path):
    out = tmp_path / "reports" / "2026Q3"
    paths = render_with_quarto(notebook, formats=("html", "pdf"), output_dir=out, exe=str(fake.exe))

    assert paths == {"html": out / "qbr-acme.html", "pdf": out / "qbr-acme.pdf"}
    html = paths["html"].read_text()
    assert "Quarterly review" in html
    assert "hello from the notebook" in html
    assert "| NRR | 104.3% |" in html  # the table's text/markdown form
    assert "print(" not in html  # echo:false hides code
    pdf = paths["pdf"].read_bytes()
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    assert sorted(p.name for p in out.iterdir()) == ["qbr-acme.html", "qbr-acme.pdf"]

    html_argv, pdf_argv = fake.renders()
    for argv, to in ((html_argv, "html"), (pdf_argv, "typst")):
        assert argv[:2] == ["render", "qbr-acme.ipynb"]
        assert value_after(argv, "--to") == to
        assert "--no-execute" in argv
        assert "--execute" not in argv
        assert "--output-dir" in argv
        assert {"echo:false", "warning:false"} <= set(metadata_of(argv))
        assert not {"-P", "--execute-param", "--execute-params"} & set(argv)
        assert not any(SECRET in a or "acme'" in a for a in argv)
    assert "embed-resources:true" in metadata_of(html_argv)
    assert "embed-resources:true" not in metadata_of(pdf_argv)

    cwds = {c["cwd"] for c in fake.calls() if c["argv"][:1] == ["render"]}
    assert len(cwds) == 1
    (cwd,) = cwds
    assert Path(cwd) != notebook.parent
    assert not Path(cwd).exists()  # the temporary folder is gone


def test_pdf_only_and_a_single_format_string(fake, notebook, tmp_path):
    paths = render_with_quarto(notebook, formats="pdf", output_dir=tmp_path / "out")
    assert list(paths) == ["pdf"]
    assert [value_after(a, "--to") for a in fake.renders()] == ["typst"]


def test_parameter_values_never_reach_quarto(fake, notebook, tmp_path):
    original = notebook.read_bytes()
    paths = render_with_quarto(
        notebook,
        formats=["html"],
        output_dir=tmp_path / "out",
        metadata={"echo": True, "title": "Q3: review", "toc": True},
    )
    html = paths["html"].read_text()
    assert "print(&#x27;hello from the notebook&#x27;)" in html  # echo:true shows code...
    assert SECRET not in html  # ...but the parameter cells were never handed to Quarto
    assert "customer = " not in html
    assert notebook.read_bytes() == original  # the user's notebook is untouched

    (argv,) = fake.renders()
    meta = metadata_of(argv)
    assert "echo:true" in meta and "echo:false" not in meta
    assert not [m for m in meta if m.startswith("title:")]  # Quarto prints -M quotes as is
    assert "toc:true" in meta
    from cslib.render.quarto import _prepare_notebook

    copy = tmp_path / "copy.ipynb"
    _prepare_notebook(notebook, copy, {"title": "Q3: review", "toc": True})
    first = json.loads(copy.read_text())["cells"][0]
    assert first["cell_type"] == "raw"  # the title as front matter, YAML-quoted: a string
    assert first["source"] == ["---\n", 'title: "Q3: review"\n', "---\n"]


def test_credential_like_metadata_is_refused(fake, notebook, tmp_path):
    with pytest.raises(ParameterError, match="credential"):
        render_with_quarto(
            notebook,
            formats=["html"],
            output_dir=tmp_path / "out",
            metadata={"subtitle": "postgresql://cs:pw1234@db/cs"},
        )
    with pytest.raises(ParameterError, match="metadata key"):
        render_with_quarto(
            notebook, formats=["html"], output_dir=tmp_path / "out", metadata={"-x": "1"}
        )
    assert fake.renders() == []


def test_outputs_replace_old_ones_atomically(fake, notebook, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "qbr-acme.html").write_text("old")
    (out / "other.txt").write_text("keep")
    render_with_quarto(notebook, formats=["html"], output_dir=out)
    assert (out / "qbr-acme.html").read_text() != "old"
    assert sorted(p.name for p in out.iterdir()) == ["other.txt", "qbr-acme.html"]


def test_awkward_notebook_names(fake, notebook, tmp_path):
    odd = notebook.with_name("-acme report (Q3).ipynb")
    odd.write_bytes(notebook.read_bytes())
    paths = render_with_quarto(odd, formats=["html"], output_dir=tmp_path / "out")
    assert paths["html"].name == "-acme report (Q3).html"
    (argv,) = fake.renders()
    assert argv[1] == "acme_report_Q3_.ipynb"


def test_parallel_renders_use_separate_folders(fake, notebook, tmp_path):
    def one(i: int) -> dict[str, Path]:
        return render_with_quarto(notebook, formats=["html"], output_dir=tmp_path / f"out{i}")

    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(one, range(3)))
    assert all(r["html"].is_file() for r in results)
    cwds = [c["cwd"] for c in fake.calls() if c["argv"][:1] == ["render"]]
    assert len(cwds) == 3 and len(set(cwds)) == 3


# --- errors ------------------------------------------------------------------------------


def test_failure_is_one_clear_masked_line(fake, notebook, tmp_path, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    (out / "qbr-acme.html").write_text("previous good report")
    monkeypatch.setenv("FAKE_QUARTO_FAIL", "1")
    with pytest.raises(QuartoError) as info:
        render_with_quarto(notebook, formats=["html", "pdf"], output_dir=out)
    message = str(info.value)
    assert "\n" not in message
    assert str(notebook) in message
    assert "format html" in message
    assert "exit code 1" in message
    assert "ERROR: Error reading data from postgresql://analyst:***@warehouse.internal" in message
    assert "password=***" in message
    assert "hunter2" not in message
    assert "Stack trace" not in message and "WARNING" not in message
    assert info.value.returncode == 1
    assert (out / "qbr-acme.html").read_text() == "previous good report"


def test_failure_masks_values_given_to_redact(fake, notebook, tmp_path, monkeypatch):
    monkeypatch.setenv("FAKE_QUARTO_FAIL", "1")
    with pytest.raises(QuartoError) as info:
        render_with_quarto(
            notebook, formats=["html"], output_dir=tmp_path, redact=["warehouse.internal"]
        )
    assert "warehouse.internal" not in str(info.value)


def test_timeout_kills_quarto_and_its_children(fake, notebook, tmp_path, monkeypatch):
    monkeypatch.setenv("FAKE_QUARTO_SLEEP", "30")
    start = time.monotonic()
    with pytest.raises(QuartoError, match=r"timed out after 1 s") as info:
        render_with_quarto(notebook, formats=["html"], output_dir=tmp_path / "out", timeout=1)
    assert time.monotonic() - start < 15
    assert str(notebook) in str(info.value)
    assert not (tmp_path / "out").exists()


def test_missing_output_after_success(fake, notebook, tmp_path, monkeypatch):
    monkeypatch.setenv("FAKE_QUARTO_NO_OUTPUT", "1")
    with pytest.raises(QuartoError, match=r"did not write the expected output qbr-acme\.html"):
        render_with_quarto(notebook, formats=["html"], output_dir=tmp_path / "out")


def test_quarto_not_found(empty_path, notebook, tmp_path):
    with pytest.raises(QuartoError) as info:
        render_with_quarto(notebook, formats=["html"], output_dir=tmp_path / "out")
    assert str(info.value) == INSTALL_HINT
    assert "https://quarto.org" in INSTALL_HINT and "built-in renderer" in INSTALL_HINT


def test_quarto_too_old_for_typst(fake, notebook, tmp_path, monkeypatch):
    monkeypatch.setenv("FAKE_QUARTO_VERSION", "1.3.450")
    with pytest.raises(QuartoError, match=r"Quarto 1\.3\.450 .*needs Quarto 1\.4"):
        render_with_quarto(notebook, formats=["html", "pdf"], output_dir=tmp_path / "out")
    assert fake.renders() == []
    assert render_with_quarto(notebook, formats=["html"], output_dir=tmp_path / "out")


def test_bad_inputs(fake, notebook, tmp_path):
    out = tmp_path / "out"
    with pytest.raises(QuartoError, match="no such file"):
        render_with_quarto(tmp_path / "missing.ipynb", formats=["html"], output_dir=out)
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    with pytest.raises(QuartoError, match=r"not a \.ipynb"):
        render_with_quarto(text, formats=["html"], output_dir=out)
    broken = tmp_path / "broken.ipynb"
    broken.write_text("{not json")
    with pytest.raises(QuartoError, match="not a readable notebook"):
        render_with_quarto(broken, formats=["html"], output_dir=out)
    with pytest.raises(ParameterError, match="choose from html, pdf"):
        render_with_quarto(notebook, formats=["docx"], output_dir=out)
    with pytest.raises(ParameterError, match="timeout"):
        render_with_quarto(notebook, formats=["html"], output_dir=out, timeout=0)
    assert fake.renders() == []


# --- choosing a backend ------------------------------------------------------------------


def test_choose_backend_with_quarto_on_path(fake):
    assert choose_backend("auto") == "quarto"
    assert choose_backend("QUARTO") == "quarto"
    assert choose_backend("builtin") == "builtin"


def test_choose_backend_without_quarto(empty_path, fake_exe):
    assert choose_backend() == "builtin"
    assert choose_backend("builtin") == "builtin"
    with pytest.raises(QuartoError, match="quarto not found on PATH"):
        choose_backend("quarto")
    assert choose_backend("auto", quarto=fake_exe) == "quarto"
    assert choose_backend("quarto", quarto=str(fake_exe)) == "quarto"


def test_choose_backend_unknown_option():
    with pytest.raises(ParameterError) as err:
        choose_backend("pandoc")
    assert str(err.value) == (
        "unknown rendering backend 'pandoc'; choose one of builtin, quarto, auto"
    )


# --- masking -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("postgresql://cs:hunter2@db:5432/cs", "postgresql://cs:***@db:5432/cs"),
        ("https://user:p%40ss@host/x?a=1", "https://user:***@host/x?a=1"),
        ("connect failed (password=hunter2)", "connect failed (password=***)"),
        ("url?access_token=abc123&x=1", "url?access_token=***&x=1"),
        ('api_key: "abc def"', "api_key: ***"),
        ("Authorization: Bearer abcdefghijkl", "Authorization: ***"),
        ("header Bearer abcdefghijkl", "header Bearer ***"),
        ("Output created: report.html", "Output created: report.html"),
    ],
)
def test_mask_secrets(text, expected):
    assert mask_secrets(text) == expected


def test_mask_secrets_extra_values():
    assert mask_secrets("customer acme-secret-co failed", extra=["acme-secret-co"]) == (
        "customer *** failed"
    )


def test_cslib_render_goes_through_quarto_when_chosen(fake, tmp_path):
    """The whole path: papermill executes a real QBR, the executed notebook goes to quarto."""
    from cslib.pipeline.build import render_notebook

    root = Path(__file__).resolve().parents[2]
    outcome = render_notebook(
        root / "notebooks" / "customer_qbr.ipynb",
        {"account_id": "A0001"},
        formats=("html", "pdf"),
        out_dir=tmp_path / "out",
        backend="quarto",
    )
    assert outcome.status == "built"
    renders = fake.renders()
    assert [argv[argv.index("--to") + 1] for argv in renders] == ["html", "typst"]
    for argv in renders:
        assert "--no-execute" in argv and "echo:false" in " ".join(argv)
        assert "A0001" not in " ".join(argv)  # parameter values never go on the command line
    html = (tmp_path / "out" / "customer_qbr-a0001.html").read_text()
    assert "Sunmeadow Consulting AB" in html  # the executed outputs reached quarto
    assert (tmp_path / "out" / "customer_qbr-a0001.pdf").read_bytes().startswith(b"%PDF")


def test_cslib_build_surfaces_quarto_errors(fake, tmp_path, monkeypatch):
    from cslib.pipeline.build import render_notebook

    monkeypatch.setenv("FAKE_QUARTO_FAIL", "1")
    root = Path(__file__).resolve().parents[2]
    with pytest.raises(CslibError) as err:
        render_notebook(root / "notebooks" / "customer_qbr.ipynb", {"account_id": "A0001"},
                        formats=("html",), out_dir=tmp_path / "out", backend="quarto")
    message = str(err.value)
    assert "quarto render failed" in message and "exit code 1" in message
    assert "hunter2" not in message
    assert not (tmp_path / "out" / "customer_qbr-a0001.html").exists()
