"""The one gate every document passes before it is written.

:func:`accept` fails a document (and writes nothing of it) when a customer's
or a segment's document was not made from its slice, when it shows a secret
parameter (or a URL's password), or when the leak scan
(:mod:`cslib.pipeline.leaks`) finds another account's name or id in its
HTML, PDF, deck or chart text; otherwise it writes every format atomically.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from cslib.errors import OutputError
from cslib.pipeline.jobs import Built, Outcome
from cslib.pipeline.leaks import LeakScanner, html_text, pdf_text, pptx_text
from cslib.pipeline.output import write_atomic
from cslib.render import suffix
from cslib.secrets import mask_text, secret_literals

__all__ = [
    "accept",
]


def _texts(built: Built) -> dict[str, str]:
    texts = {"chart text": built.chart_text}
    if "html" in built.files:
        texts["HTML"] = html_text(built.files["html"])
    if "pdf" in built.files:
        texts["PDF"] = pdf_text(built.files["pdf"])
    if "pdf-wide" in built.files:
        texts["PDF (16:9)"] = pdf_text(built.files["pdf-wide"])
    if "pptx" in built.files:
        texts["PPTX"] = pptx_text(built.files["pptx"])
    return texts


def accept(
    built: Built,
    out_dir: Path,
    *,
    scanner: LeakScanner | None = None,
    allowed: set[str] | None = None,
    secrets: Mapping[str, str] | None = None,
) -> Outcome:
    """Scan a built document for leaks, then write its files atomically into ``out_dir``.

    With a ``scanner`` and an ``allowed`` set of account ids (a document
    scoped to customers or a segment), the HTML text, the PDF text, the
    deck's text (slides and notes) and the charts' text must name no other
    account; and no document may show the
    value of a secret parameter (nor a URL's password). A document that does
    is failed and not written; so is a customer's or a segment's document
    (its first part's ``open_report`` kind) built without its slice
    (``allowed`` is None). A failed document's executed notebook goes to
    ``out_dir/_failed/``.

    Raises
    ------
    OutputError
        If a file cannot be written (nothing of the document is left half-written).
    """
    outcome = built.outcome
    secrets = {k: v for k, v in (secrets or {}).items() if v}
    lead = built.scopes[0][0] if built.scopes else ""
    if outcome.status == "built" and lead in ("customer", "segment", "book") and allowed is None:
        # A customer's or a segment's document is only ever made from its own slice.
        outcome.status = "failed"
        outcome.error = (f"a {lead} document must be built from its {lead}'s slice of the data, "
                         "and this one was not (a part reports on the whole company?); the "
                         "document was not written")
        built.files = {}
    texts = _texts(built) if outcome.status == "built" and (secrets or allowed is not None) \
        else {}
    spellings = {name: {value, *secret_literals([value])} for name, value in secrets.items()}
    shown = sorted({name for name, values in spellings.items()
                    for text in texts.values() for value in values if value in text})
    if shown:
        outcome.status = "failed"
        outcome.error = (f"secret parameter {', '.join(f'`{n}`' for n in shown)} appears in the "
                         "document; the document was not written")
        built.files = {}
    if outcome.status == "built" and scanner is not None and allowed is not None:
        leaks = scanner.scan(texts, allowed)
        if leaks:
            shown = "; ".join(str(leak) for leak in leaks[:3])
            more = f" and {len(leaks) - 3} more" if len(leaks) > 3 else ""
            outcome.status = "failed"
            outcome.error = mask_text(
                f"leak scan: {shown}{more}; the document was not written (if such a name is "
                "only an ordinary word here, list it under leak_scan_ignore in the plan)"
            )
            built.files = {}
    try:
        for fmt, data in built.files.items():
            write_atomic(out_dir / f"{outcome.key}.{suffix(fmt)}", data)
            outcome.files[fmt] = f"{outcome.key}.{suffix(fmt)}"
    except OutputError:  # all of a document's formats, or none: no file the ledger lacks
        for name in outcome.files.values():
            (out_dir / name).unlink(missing_ok=True)
        outcome.files = {}
        raise
    if built.failed_notebook is not None:
        write_atomic(out_dir / "_failed" / f"{outcome.key}.ipynb", built.failed_notebook)
    return outcome
