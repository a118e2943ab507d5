"""The run's memory: cache keys, the journal and ``build.json``.

A document whose cache key (a content hash of everything it is built from)
is unchanged and whose files are there is not rebuilt. Each finished
document is appended to a journal at once, so a build killed at any moment
loses nothing it finished; ``build.json`` (written by
:mod:`cslib.pipeline.index`) replaces the journal when a build ends.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import asdict
from pathlib import Path
from typing import Any

from cslib.pipeline.jobs import Outcome
from cslib.pipeline.output import append_durably
from cslib.pipeline.plan import Job

__all__ = [
    "JOURNAL",
    "cache_key",
    "journal",
    "library_fingerprint",
    "read_ledger",
    "read_or_missing",
    "sweep",
]


def library_fingerprint() -> str:
    """SHA-256 over the code and templates that turn data into documents, and the packages.

    Any change to ``cslib`` (metrics, tables, charts, renderers, templates) or
    to an installed package's version changes it, so every document is rebuilt.
    Read from the installed package itself, wherever it is installed.
    """
    import importlib.metadata

    root = Path(__file__).resolve().parents[1]  # the cslib package
    digest = hashlib.sha256()
    files = sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in
                   (".py", ".typ", ".j2", ".css", ".yaml", ".qmd"))
    for path in files:
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    versions = sorted(f"{d.metadata['Name']}=={d.version}"
                      for d in importlib.metadata.distributions())
    digest.update("\n".join(versions).encode())
    return digest.hexdigest()


def read_or_missing(path: Path) -> bytes:
    """The bytes of a file, or ``b"missing"`` (a missing settings file is part of a key too)."""
    return path.read_bytes() if path.is_file() else b"missing"


def _settings_bytes(params: Mapping[str, Any], read: Callable[[Path], bytes]) -> bytes:
    return b"".join(read(Path(str(params[key]))) if params.get(key) else b"built-in defaults"
                    for key in ("health_config", "risk_config"))


def cache_key(
    job: Job,
    *,
    data_fingerprint: str,
    library: str,
    backend: str,
    read: Callable[[Path], bytes] = read_or_missing,
) -> str:
    """A content hash of everything a document is built from.

    The notebooks' bytes, the parameters, the data's content fingerprint, the
    settings files the notebooks read, the library and the renderer: if none
    changed, the document on disk is up to date (no timestamps involved).
    ``read`` reads a file (a build passes one that reads each file once).
    """
    digest = hashlib.sha256()
    for notebook, params in job.parts:
        digest.update(read(Path(notebook)))
        digest.update(json.dumps(params, sort_keys=True, default=str).encode())
        digest.update(_settings_bytes(params, read))
    digest.update(json.dumps([job.formats, backend, data_fingerprint, library]).encode())
    if "pptx" in job.formats and job.pptx_template is not None:
        digest.update(read(Path(job.pptx_template)))
    return digest.hexdigest()[:20]


#: One line per document finished by a build still running (or killed): what build.json
#: will say once the build ends. The next build reads it, so no finished work is lost.
JOURNAL = ".build-journal.jsonl"


def read_ledger(out_dir: Path) -> dict[str, Outcome]:
    """The last recorded outcome of each document.

    ``build.json``, then the journal of a build that never finished (killed);
    a torn last line is ignored.
    """
    out: dict[str, Outcome] = {}
    try:
        documents = json.loads((out_dir / "build.json").read_text(encoding="utf-8"))["documents"]
        out = {d["key"]: Outcome(**d) for d in documents}
    except (OSError, ValueError, KeyError, TypeError):
        pass
    try:
        lines = (out_dir / JOURNAL).read_text(encoding="utf-8").splitlines()
    except OSError:
        return out
    for line in lines:
        try:
            d = json.loads(line)
            out[d["key"]] = Outcome(**d)
        except (ValueError, KeyError, TypeError):
            continue
    return out


def journal(out_dir: Path, outcome: Outcome) -> None:
    """Append one finished document to the journal (after its files are written)."""
    append_durably(out_dir / JOURNAL, (json.dumps(asdict(outcome)) + "\n").encode("utf-8"))


def sweep(out_dir: Path) -> None:
    """Remove temporary files that a killed build left half-written (never a document)."""
    for tmp in out_dir.rglob(".*.tmp"):
        tmp.unlink(missing_ok=True)
