"""Where a build's documents go, and the top index that lists every run.

Documents of one dataset never overwrite another's: a build writes into
``<output>/<run>/<period>/``, where ``<run>`` is the dataset's name
(:func:`run_name`: ``sample``, the folder or file name of a dataset, the
database name of a URL) unless the plan names it (``run: acme-emea``).
``<output>/index.html`` (:func:`write_runs_index`) lists every run found under
the output folder: dataset, period, when it finished, how many documents and
a link to the run's own index.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from jinja2 import Environment

from cslib.names import slugify
from cslib.pipeline.output import write_atomic
from cslib.secrets import mask_url

__all__ = ["RunRow", "find_runs", "run_dir", "run_name", "write_runs_index"]


def run_dir(output: Path, data: str, period: str, *, run: str = "") -> Path:
    """``<output>/<run>/<period>``: the plan's ``run``, else the dataset's name."""
    return Path(output) / (run or run_name(data)) / period


def run_name(data: str) -> str:
    """The folder a dataset's runs go to: ``sample``, ``ravenstack``, ``warehouse``.

    A folder or file gives its name without suffix (``data/acme`` -> ``acme``,
    ``acme.duckdb`` and ``acme.yaml`` -> ``acme``); a database URL its database
    name (``postgresql://u@host/crm`` -> ``crm``).
    """
    text = str(data).strip() or "sample"
    if "://" in text:  # the password masked first: a '/' or '#' in it must not end the host
        parts = urlsplit(mask_url(text))
        tail = parts.path.rstrip("/").rsplit("/", 1)[-1] or parts.hostname or parts.scheme
    else:
        path = Path(text)
        tail = path.stem if path.suffix else path.name
    return slugify(Path(tail).stem if "." in tail else tail, limit=40, empty="data")


class RunRow(dict):
    """One run as the top index shows it (a plain mapping for the template)."""


def find_runs(output: Path) -> list[RunRow]:
    """Every run under ``output`` (``<run>/<period>/build.json``), newest first."""
    rows: list[RunRow] = []
    for ledger in sorted(Path(output).glob("*/*/build.json")):
        try:
            record = json.loads(ledger.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # a ledger being replaced or not ours: not a run to list
        docs = record.get("documents") or []
        finished = record.get("finished") or datetime.fromtimestamp(
            ledger.stat().st_mtime, tz=UTC).isoformat(timespec="seconds")
        rows.append(RunRow(
            run=ledger.parent.parent.name,
            dataset=record.get("dataset") or ledger.parent.parent.name,
            period=record.get("period") or ledger.parent.name,
            plan=Path(str(record.get("plan") or "")).name,
            finished=str(finished),
            built=sum(d.get("status") == "built" for d in docs),
            total=len(docs),
            link=f"{ledger.parent.parent.name}/{ledger.parent.name}/index.html",
        ))
    rows.sort(key=lambda r: r["finished"], reverse=True)
    return rows


_PAGE = Environment(autoescape=True).from_string("""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Reports · runs</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem; color: #1f2933; }
table { border-collapse: collapse; } th, td { padding: .35rem .8rem; text-align: left; }
th { border-bottom: 2px solid #9aa5b1; } td { border-bottom: 1px solid #e4e7eb; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
</style></head><body>
<h1>Reports · runs</h1>
{% if rows %}<table>
<thead><tr><th>Dataset</th><th>Period</th><th>Plan</th><th>Finished (UTC)</th>
<th>Documents</th><th></th></tr></thead>
<tbody>{% for r in rows %}
<tr><td>{{ r.dataset }}</td><td>{{ r.period }}</td><td>{{ r.plan }}</td>
<td>{{ r.finished }}</td><td class="n">{{ r.built }} of {{ r.total }} built</td>
<td><a href="{{ r.link }}">open</a></td></tr>{% endfor %}
</tbody></table>{% else %}<p>No runs yet.</p>{% endif %}
</body></html>
""")


def write_runs_index(output: Path) -> Path:
    """Write ``<output>/index.html``, the list of every run under ``output``."""
    index = Path(output) / "index.html"
    write_atomic(index, _PAGE.render(rows=find_runs(output)))
    return index
