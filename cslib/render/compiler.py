"""The warm Typst compiler the PDF renderer and the deck's chart rasterizer share.

Building a compiler loads the house fonts (a second or so); one per process is
kept and handed out under a lock (Typst compiles one document at a time on it).
Warm build workers build it once before forking (:mod:`cslib.pipeline.fork`).
"""

from __future__ import annotations

import functools
import threading
from pathlib import Path
from typing import Any

from cslib.errors import RenderError
from cslib.render.fonts import dejavu_sans, font_dir

__all__ = ["TEMPLATES", "compile_typst", "warm_up"]

#: The renderers' templates (``report.typ``, ``report.html.j2``, ``report.css``).
TEMPLATES = Path(__file__).parent / "templates"
_LOCK = threading.Lock()


@functools.cache
def _compiler() -> Any:
    import typst

    dejavu_sans()  # fail early, with a clear message, if the fonts are missing
    # root: the folder a chart SVG's relative <image href> could read from; the
    # templates folder holds nothing but our own template files.
    return typst.Compiler(
        root=str(TEMPLATES), font_paths=[str(font_dir())], ignore_system_fonts=True
    )


def warm_up() -> None:
    """Build the compiler now (fonts loaded), before a warm worker forks."""
    _compiler()


def compile_typst(source: bytes, *, format: str, **options: Any) -> Any:
    """Compile Typst ``source`` to ``format`` (``"pdf"`` or ``"png"``) on the shared compiler.

    ``options`` go to ``typst.Compiler.compile`` (``sys_inputs``, ``ppi``).
    Returns the bytes (a list of them for several PNG pages).

    Raises
    ------
    RenderError
        If Typst's layout did not converge: it lays a document out again until
        page numbers, the contents and every measured position agree (at most
        five times), and a document that never settles would print page
        numbers and contents entries that are wrong.
    """
    with _LOCK:
        out, warnings = _compiler().compile_with_warnings(input=source, format=format, **options)
    unsettled = [str(w) for w in warnings if "converge" in str(w) or "stabilize" in str(w)]
    if unsettled:
        raise RenderError(
            "the PDF's layout did not settle, so its page numbers and contents would be "
            f"wrong (Typst: {'; '.join(dict.fromkeys(unsettled))})"
        )
    return out
