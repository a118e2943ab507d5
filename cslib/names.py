"""Slugs: the one way a name (an account, a segment, a heading, a file) becomes a safe id."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence

__all__ = ["slugify", "unique_slugs"]


def slugify(text: str, *, limit: int = 60, empty: str = "x") -> str:
    """A file-name-safe, stable slug: ASCII letters, digits and dashes only.

    Accents are folded (``"Café"`` -> ``"cafe"``); anything else becomes a dash,
    so no slug can hold a path separator or start with a dot. ``empty`` is the
    slug of a text with no ASCII letter or digit at all.

    Examples
    --------
    >>> slugify("Acme, Inc. / ../etc")
    'acme-inc-etc'
    """
    folded = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")
    return slug[:limit].rstrip("-") or empty


def unique_slugs(values: Sequence[str], *, limit: int = 60) -> dict[str, str]:
    """Slugs for distinct values; values whose slugs collide get a short hash suffix."""
    slugs = {v: slugify(v, limit=limit) for v in values}
    counts: dict[str, int] = {}
    for s in slugs.values():
        counts[s] = counts.get(s, 0) + 1
    return {
        v: s if counts[s] == 1 else f"{s}-{hashlib.sha256(v.encode()).hexdigest()[:6]}"
        for v, s in slugs.items()
    }
