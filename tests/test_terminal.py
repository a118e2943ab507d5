"""Text from data reaches a terminal with its control and bidi characters shown escaped.

A segment, account, file or folder name can hold ESC (escape sequences: colours, a
cleared screen, a new window title), BEL, NUL, CR, C1 controls or the Unicode bidi
overrides that reorder what a reader sees. Whatever cslib prints (tables, the validate
summary, every ``cslib:`` error line, the build's progress lines) shows them as
``\\x1b``, ``\\u202e``..., never raw.
"""

from __future__ import annotations

import doctest
import json
import re
from pathlib import Path

import pytest
from conftest import TABLES, write_dataset

import cslib.terminal
from cslib.cli import main
from cslib.pipeline.progress import Progress
from cslib.terminal import terminal_text

#: Every character that must never reach a terminal raw: C0 (but newline), DEL, C1,
#: line/paragraph separators, bidi embeddings, overrides and isolates.
UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
#: A name built to attack a terminal: clear the screen, set the window title, ring,
#: hide what came before, and reverse what follows.
EVIL = "Ev\x1b[2J\x1b]0;pwned\x07il\x00\r\x9b31m\u202egnp.exe\u2066x\u2069"
#: The same as a CSV cell can hold it (no NUL, no line break).
EVIL_CELL = EVIL.replace("\x00\r", "\x08")


def _no_raw_controls(text: str) -> None:
    found = sorted({f"U+{ord(c):04X}" for c in UNSAFE.findall(text)})
    assert not found, f"raw control characters {found} in {text!r}"


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("\x1b[31mred", "\\x1b[31mred"),
        ("a\x00b\x07c\x7fd\x9be", "a\\x00b\\x07c\\x7fd\\x9be"),
        ("cr\rtab\t", "cr\\x0dtab\\x09"),
        ("\u202eabc\u202c \u2066x\u2069 \u2028", "\\u202eabc\\u202c \\u2066x\\u2069 \\u2028"),
        ("two\nlines", "two\nlines"),
        ("Café Zürich שלום 🚀 ±100 – ok", "Café Zürich שלום 🚀 ±100 – ok"),
    ],
)
def test_terminal_text_escapes_controls_and_bidi_overrides(text, shown):
    assert terminal_text(text) == shown


def test_one_line_escapes_newlines_too():
    assert terminal_text("a\nb\x1b", one_line=True) == "a\\x0ab\\x1b"


def test_terminal_doctests():
    assert doctest.testmod(cslib.terminal).failed == 0


def _evil_company(tmp_path: Path) -> Path:
    """Control characters in an extra (non-contract) column, which the contract does not
    check and ``--by`` may group on: contract text columns refuse them at load."""
    lines = TABLES["accounts"].splitlines()
    lines[0] += ",tier"
    lines[1:] = [line + (f",{EVIL_CELL}" if ",SMB," in line else ",gold") for line in lines[1:]]
    return write_dataset(tmp_path / "data", accounts="\n".join(lines) + "\n")


def test_metrics_table_shows_control_characters_escaped(capsys, tmp_path):
    data = _evil_company(tmp_path)
    code = main(["metrics", "--data", str(data), "--period", "2026Q3", "--by", "tier",
                 "--format", "table"])
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    _no_raw_controls(out)
    assert terminal_text(EVIL_CELL, one_line=True) in out
    assert len({len(line) for line in out.splitlines()[2:]}) == 1  # still aligned


def test_metrics_json_escapes_them_itself(capsys, tmp_path):
    data = _evil_company(tmp_path)
    code = main(["metrics", "--data", str(data), "--period", "2026Q3", "--by", "tier"])
    out, _ = capsys.readouterr()
    assert code == 0
    _no_raw_controls(out)
    assert EVIL_CELL in json.loads(out)["by"]["tier"]  # lossless: JSON escapes, not drops


def test_validate_shows_file_and_folder_names_escaped(capsys, tmp_path):
    data = write_dataset(tmp_path / f"d{EVIL_CELL}", files={f"notes{EVIL_CELL}.csv": "x\n1\n"})
    assert main(["validate", str(data)]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("OK: ") and err == ""
    _no_raw_controls(out)
    assert terminal_text(f"notes{EVIL_CELL}.csv") in out


def test_error_lines_show_names_escaped(capsys, tmp_path):
    missing = tmp_path / f"nowhere{EVIL_CELL}"
    assert main(["validate", str(missing)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.startswith("cslib: ")
    _no_raw_controls(err)
    assert terminal_text(str(missing)) in err


def test_progress_lines_show_names_escaped():
    lines: list[str] = []
    progress = Progress(1, echo=lines.append)
    progress.start(f"Building {EVIL}")
    assert lines == [f"Building {terminal_text(EVIL)}"]
