"""CSV exports: formulas neutralised (OWASP), numbers kept numeric, one writer for all."""

from __future__ import annotations

import doctest
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import cslib.export
from cslib.export import csv_cell, csv_text

CSLIB = Path(cslib.export.__file__).resolve().parent


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+2", "\"'=1+2\""),
        ("+1", "\"'+1\""),
        ("-1", "\"'-1\""),  # text that looks like a number is still text
        ("@SUM(A1:A9)", "\"'@SUM(A1:A9)\""),
        ("\t=1", "\"'\t=1\""),
        ("\r=1", "\"'\r=1\""),
        ('=HYPERLINK("http://x","y")', '"\'=HYPERLINK(""http://x"",""y"")"'),
        ("a=1", '"a=1"'),
        ("Mid-Market", '"Mid-Market"'),
        ("", '""'),
        (-12.5, "-12.5"),
        (np.float64(-0.25), "-0.25"),
        (np.int64(-3), "-3"),
        (7, "7"),
        (True, '"True"'),
        (None, ""),
        (float("nan"), ""),
        (pd.NA, ""),
    ],
)
def test_csv_cell(value, cell):
    assert csv_cell(value) == cell


def test_csv_text_quotes_headers_too():
    assert csv_text([["=x", -1.5, None]], header=["a", "@b", "c"]) == (
        '"a","\'@b","c"\n"\'=x",-1.5,\n'
    )


def test_export_doctests():
    assert doctest.testmod(cslib.export).failed == 0


def test_every_csv_export_goes_through_csv_text():
    """No module writes CSV for people by itself (dataset files under cslib/data excepted)."""
    writers = re.compile(r"\.to_csv\(|csv\.writer|csv\.DictWriter")
    found = [
        str(path.relative_to(CSLIB))
        for path in CSLIB.rglob("*.py")
        if "data" not in path.relative_to(CSLIB).parts[:1] and path.name != "export.py"
        and writers.search(path.read_text(encoding="utf-8"))
    ]
    assert found == []
