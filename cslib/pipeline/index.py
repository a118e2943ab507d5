"""The build's ``index.html`` (every document, its status and links) and ``build.json``."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

import jinja2

from cslib.pipeline.jobs import BuildResult, Outcome
from cslib.pipeline.ledger import JOURNAL
from cslib.pipeline.output import write_atomic
from cslib.pipeline.plan import Plan

__all__ = [
    "write_index",
]


_INDEX = jinja2.Environment(autoescape=True).from_string(
    """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ company }} · reports · {{ period }}</title>
<style>
body{font-family:"DejaVu Sans",Verdana,sans-serif;color:#222;max-width:60rem;margin:2rem auto;
padding:0 1rem}
h1{color:#0072B2;font-size:1.5rem}table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{text-align:left;padding:.35rem .6rem;border-bottom:1px solid #ddd}
th{background:#f3f6f9}.built{color:#007a4d}.failed,.crashed{color:#b3261e;font-weight:bold}
.err{color:#b3261e;font-size:.8rem}small{color:#666}
</style></head><body>
<h1>{{ company }} · reports for {{ period }}</h1>
<p>{{ built }} of {{ total }} documents built{% if failed %}, <span class="failed">{{ failed }}
failed</span>{% endif %} in {{ "%.1f" | format(seconds) }} s.</p>
{% for group, rows in groups %}<h2>{{ group }}</h2>
<table><thead><tr><th>Document</th><th>Status</th><th>Files</th><th>Seconds</th></tr></thead>
<tbody>{% for o in rows %}<tr><td>{{ o.title }}<br><small>{{ o.key }}</small></td>
<td class="{{ o.status }}">{{ o.status }}</td>
<td>{% for fmt, path in o.files.items() %}<a href="{{ path }}">{{ fmt | upper }}</a> {% endfor %}
{% if o.error %}<div class="err">{{ o.error }}</div>{% endif %}</td>
<td>{{ "%.1f" | format(o.seconds) }}</td></tr>{% endfor %}</tbody></table>
{% endfor %}
</body></html>
"""
)


def write_index(result: BuildResult, plan: Plan, *, earlier: Sequence[Outcome] = ()) -> Path:
    """Write ``index.html`` (every document, its status and links) and ``build.json``.

    ``earlier``: documents recorded by an earlier build of the same folder that
    this build did not touch (a build of part of a plan, ``--only``); they stay
    listed with their recorded status.
    """
    titles = {d.name: d.title for d in plan.documents}
    order = {d.name: i for i, d in enumerate(plan.documents)}
    current = {o.key for o in result.outcomes}
    everything = [o for o in earlier if o.key not in current] + result.outcomes
    everything.sort(key=lambda o: (order.get(o.document, len(order)), o.document))
    groups: dict[str, list[Outcome]] = {}
    for o in everything:
        groups.setdefault(o.document, []).append(o)
    page = _INDEX.render(
        company=plan.company,
        period=result.period,
        built=sum(o.status == "built" for o in everything),
        failed=sum(o.status != "built" for o in everything),
        total=len(everything),
        seconds=result.seconds,
        groups=[(titles.get(name, name), rows) for name, rows in groups.items()],
    )
    index = result.out_dir / "index.html"
    write_atomic(index, page)
    ledger = {
        "plan": str(plan.path),
        "period": result.period,
        "seconds": result.seconds,
        "documents": [asdict(o) for o in everything],
    }
    write_atomic(result.out_dir / "build.json", json.dumps(ledger, indent=1) + "\n")
    (result.out_dir / JOURNAL).unlink(missing_ok=True)  # build.json now says it all
    return index
