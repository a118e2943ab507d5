"""Importers: public or third-party datasets turned into the data contract.

Each importer reads a source in its own layout, maps it onto the contract's
tables with a documented mapping (its module docstring), validates the result
with :func:`cslib.load` and only then publishes it as a folder of CSV files.
``cslib import KIND SRC DEST`` runs one from the command line.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from cslib.data.importers.ravenstack import ImportSummary, import_ravenstack

__all__ = ["IMPORTERS", "ImportSummary", "import_ravenstack"]

#: Source kinds ``cslib import`` knows, each with its importer.
IMPORTERS: dict[str, Callable[[Path, Path], ImportSummary]] = {
    "ravenstack": import_ravenstack,
}
