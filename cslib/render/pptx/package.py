"""A deck saved as a package whose bytes depend on its content only.

The same document and template always give the same bytes: the core
properties are written anew from the document (nothing of the template's, and
the data's as-of date as the document dates), and the zip entries get fixed
timestamps and attributes (:func:`saved`).
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any

from pptx.oxml.coreprops import CT_CoreProperties

from cslib.render.text import joined

__all__ = ["deck_bytes", "saved"]


def _core_properties(prs: Any, meta: dict[str, str]) -> None:
    """Core properties made anew: the deck's title and company, nothing of the template's."""
    core = prs.core_properties
    core._element = CT_CoreProperties.new_coreProperties()
    core.title = joined(meta["title"], meta["subtitle"], meta["period"])[:250]
    core.author = core.last_modified_by = meta["company"][:250]
    core.revision = 1
    try:
        when = dt.datetime.strptime(meta["as_of"][:10], "%Y-%m-%d")
    except ValueError:
        when = dt.datetime(2000, 1, 1)
    core.created = core.modified = when
    core.last_printed = when


def _deterministic_zip(data: bytes) -> bytes:
    """The same package with fixed timestamps (same deck, same bytes); images stored as is."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            stored = info.filename.lower().endswith((".png", ".jpeg", ".jpg"))
            entry.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, src.read(info))
    return out.getvalue()


def saved(prs: Any) -> bytes:
    """The ``.pptx`` file of ``prs``, with fixed zip timestamps (same presentation, same bytes)."""
    out = io.BytesIO()
    prs.save(out)
    return _deterministic_zip(out.getvalue())


def deck_bytes(prs: Any, meta: dict[str, str]) -> bytes:
    """The deck's file: core properties from the document's ``meta``, then :func:`saved`."""
    _core_properties(prs, meta)
    return saved(prs)
