"""The build's ``index.html``, a portfolio page, and its ``build.json`` ledger.

``index.html`` is the page a CS leader opens: every document of the run with
what it is about (account, segment, CSM, ARR, health band, renewal date) and
its status, grouped by document, each table sortable by any column and all of
them filtered by one search box that works offline. How each document was
built (its key, seconds, errors) is one click away, under "Build details".

The page runs one script, ours, pinned by its SHA-256 in the page's Content
Security Policy: no other script can run, and data only ever reaches the page
as escaped text, which the script reads from the table cells.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import jinja2
import pandas as pd
from markupsafe import Markup

from cslib.data.dataset import Dataset
from cslib.pipeline.jobs import BuildResult, Outcome
from cslib.pipeline.ledger import JOURNAL
from cslib.pipeline.output import write_atomic
from cslib.pipeline.plan import Plan
from cslib.pipeline.scope import scope_of
from cslib.present.formats import fmt_day, fmt_money

__all__ = [
    "Facts",
    "portfolio_facts",
    "write_index",
]

#: Sorting and filtering, offline. Rows are read from the table cells (text, never markup).
_SCRIPT = """
document.querySelectorAll("table.portfolio th[data-col]").forEach(function (th) {
  th.addEventListener("click", function () {
    var table = th.closest("table"), body = table.tBodies[0], col = +th.dataset.col;
    var down = th.getAttribute("aria-sort") !== "ascending";
    table.querySelectorAll("th[aria-sort]").forEach(function (h) {
      h.removeAttribute("aria-sort");
    });
    th.setAttribute("aria-sort", down ? "ascending" : "descending");
    var rows = Array.prototype.slice.call(body.rows);
    var key = function (r) {
      var c = r.cells[col];
      return c.dataset.sort !== undefined ? c.dataset.sort : c.textContent.trim().toLowerCase();
    };
    rows.sort(function (a, b) {
      var x = key(a), y = key(b), nx = parseFloat(x), ny = parseFloat(y);
      var numbers = x !== "" && y !== "" && !isNaN(nx) && !isNaN(ny);
      var d = numbers ? nx - ny : (x < y ? -1 : x > y ? 1 : 0);
      return down ? d : -d;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  });
});
var box = document.getElementById("filter");
box.hidden = false;
box.addEventListener("input", function () {
  var words = box.value.toLowerCase().split(/\\s+/).filter(Boolean), shown = 0;
  document.querySelectorAll("table.portfolio tbody tr").forEach(function (r) {
    var text = r.textContent.toLowerCase();
    var ok = words.every(function (w) { return text.indexOf(w) >= 0; });
    r.hidden = !ok; if (ok) { shown += 1; }
  });
  document.getElementById("shown").textContent = words.length ? shown + " shown" : "";
});
"""
_SCRIPT_HASH = base64.b64encode(hashlib.sha256(_SCRIPT.encode()).digest()).decode()

_INDEX = jinja2.Environment(autoescape=True).from_string(
    """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; \
style-src 'unsafe-inline'; script-src 'sha256-{{ script_hash }}'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>{{ company }} · reports · {{ period }}</title>
<style>
body{font-family:"DejaVu Sans",Verdana,sans-serif;color:#222;max-width:72rem;margin:2rem auto;
padding:0 1rem}
h1{color:#0072B2;font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem}
.scroll{overflow-x:auto}table{border-collapse:collapse;width:100%;font-size:.88rem}
th,td{text-align:left;padding:.35rem .6rem;border-bottom:1px solid #ddd;vertical-align:top}
th{background:#f3f6f9;white-space:nowrap}th[data-col]{cursor:pointer}
th[data-col]::after{content:" \\2195";color:#999}th[aria-sort=ascending]::after{content:" \\2191"}
th[aria-sort=descending]::after{content:" \\2193"}td.num{text-align:right}
.built{color:#007a4d}.failed,.crashed{color:#b3261e;font-weight:bold}.skipped{color:#8a5a00}
.red{color:#b3261e;font-weight:bold}.yellow{color:#8a5a00}.green{color:#007a4d}
.err{color:#b3261e;font-size:.8rem}small{color:#666}
#filter{font:inherit;padding:.4rem .6rem;width:min(28rem,100%);border:1px solid #bbb;
border-radius:4px}
details{margin-top:2.5rem}summary{cursor:pointer;color:#0072B2}
</style></head><body>
<h1>{{ company }} · reports for {{ period }}</h1>
<p>{{ built }} of {{ total }} documents built{% if failed %}, <span class="failed">{{ failed }}
not built</span>{% endif %}. Click a column to sort; type to filter (an account, a CSM, a
segment, "red", a status).</p>
<p><input id="filter" type="search" placeholder="Filter: account, CSM, segment, red…"
aria-label="Filter the documents" hidden> <small id="shown" aria-live="polite"></small></p>
{% for group, rows in groups %}<h2>{{ group }} <small>({{ rows | length }})</small></h2>
<div class="scroll"><table class="portfolio"><thead><tr><th data-col="0">Document</th>
<th data-col="1">Segment</th><th data-col="2">CSM</th><th data-col="3">ARR</th>
<th data-col="4">Health</th><th data-col="5">Renewal</th><th data-col="6">Status</th>
<th>Files</th></tr></thead>
<tbody>{% for o, f in rows %}<tr><td>{{ f.name or o.title }}</td><td>{{ f.segment }}</td>
<td>{{ f.csm }}</td><td class="num" data-sort="{{ f.arr_sort }}">{{ f.arr }}</td>
<td class="{{ f.band }}" data-sort="{{ f.health_sort }}">{{ f.health }}</td>
<td data-sort="{{ f.renewal }}">{{ f.renewal }}</td>
<td class="{{ o.status }}">{{ o.status }}</td>
<td>{% for fmt, path in o.files.items() %}<a href="{{ path }}">{{ labels.get(fmt, fmt | upper) }}\
</a> {% endfor %}{% if o.error %}<div class="err">{{ o.error }}</div>{% endif %}</td></tr>\
{% endfor %}</tbody></table></div>
{% endfor %}
<details><summary>Build details</summary>
<p>This run took {{ "%.1f" | format(seconds) }} s; documents up to date were not rebuilt.</p>
<div class="scroll"><table><thead><tr><th>Key</th><th>Seconds</th><th>Reused</th><th>Cache key</th>
</tr></thead><tbody>{% for o in everything %}<tr><td>{{ o.key }}</td>
<td>{{ "%.1f" | format(o.seconds) }}</td><td>{{ "yes" if o.reused else "no" }}</td>
<td><small>{{ o.cache_key }}</small></td></tr>{% endfor %}</tbody></table></div>
</details>
<script>{{ script }}</script>
</body></html>
"""
)

#: Link text of each format.
_LABELS = {"pdf-wide": "PDF 16:9", "pptx": "Deck"}


@dataclass(frozen=True)
class Facts:
    """What one row of the portfolio says a document is about (all text, already formatted)."""

    name: str = ""
    segment: str = ""
    csm: str = ""
    arr: str = ""
    arr_sort: str = ""
    health: str = ""
    health_sort: str = ""
    band: str = ""
    renewal: str = ""


def portfolio_facts(dataset: Dataset, month: pd.Period, health: pd.DataFrame | None
                    ) -> dict[tuple[str, str], Facts]:
    """Each account's and each segment's row facts for the period's last month.

    ARR = 12 x MRR of ``month``; health from the build's book (``health_score``
    and ``health_band`` by account, or ``None``); renewal from
    ``accounts.renewal_date``. Keys are ``("account_id", id)``, ``("segment", name)``
    and ``("csm", name)`` (a CSM's book).
    """
    acc = dataset.accounts.assign(account_id=dataset.accounts["account_id"].astype(str))
    mrr = dataset.mrr[dataset.mrr["month"] == month]
    arr = (12 * mrr.groupby(mrr["account_id"].astype(str))["mrr"].sum()).reindex(
        acc["account_id"]).fillna(0.0)
    out: dict[tuple[str, str], Facts] = {}
    for row, value in zip(acc.itertuples(index=False), arr.to_numpy(), strict=True):
        aid = str(row.account_id)
        score = band = None
        if health is not None and aid in health.index:
            score, band = health.at[aid, "health_score"], health.at[aid, "health_band"]
        renewal = getattr(row, "renewal_date", None)
        out[("account_id", aid)] = Facts(
            name=str(row.name), segment=str(row.segment),
            csm="" if pd.isna(getattr(row, "csm", None)) else str(row.csm),
            arr=fmt_money(value, compact=True), arr_sort=f"{value:.2f}",
            health=f"{score:.0f} {band}" if score is not None and not pd.isna(score) else "",
            health_sort="" if score is None or pd.isna(score) else f"{score:.0f}",
            band=str(band) if isinstance(band, str) else "",
            renewal=fmt_day(renewal) if renewal is not None
            and not pd.isna(renewal) else "",
        )
    by_segment = pd.Series(arr.to_numpy(), index=acc["segment"].astype(str)).groupby(level=0)
    for segment, total in by_segment.sum().items():
        out[("segment", str(segment))] = Facts(
            name=f"{segment} segment", segment=str(segment),
            arr=fmt_money(total, compact=True), arr_sort=f"{total:.2f}")
    if "csm" in acc:
        books = pd.Series(arr.to_numpy(), index=acc["csm"].astype("string")).groupby(level=0)
        for csm, total in books.sum().items():
            out[("csm", str(csm))] = Facts(name=str(csm), csm=str(csm),
                                           arr=fmt_money(total, compact=True),
                                           arr_sort=f"{total:.2f}")
    total = float(arr.sum())
    out[("company", "")] = Facts(arr=fmt_money(total, compact=True), arr_sort=f"{total:.2f}")
    return out


def _facts(o: Outcome, facts: Mapping[tuple[str, str], Facts]) -> Facts:
    scope = scope_of(o.parameters[0] if o.parameters else {})
    if scope is None:
        return facts.get(("company", ""), Facts())
    return facts.get(scope[1:], Facts())


def write_index(result: BuildResult, plan: Plan, *, earlier: Sequence[Outcome] = (),
                facts: Mapping[tuple[str, str], Facts] | None = None,
                dataset: str = "") -> Path:
    """Write ``index.html`` (the portfolio of the run's documents) and ``build.json``.

    ``earlier``: documents recorded by an earlier build of the same folder that
    this build did not touch (a build of part of a plan, ``--only``); they stay
    listed with their recorded status. ``facts``: what each row is about
    (:func:`portfolio_facts`); without them the rows carry titles and status only.
    ``dataset``: the run's name, recorded in the ledger for the top index.
    """
    titles = {d.name: d.title for d in plan.documents}
    order = {d.name: i for i, d in enumerate(plan.documents)}
    current = {o.key for o in result.outcomes}
    everything = [o for o in earlier if o.key not in current] + result.outcomes
    everything.sort(key=lambda o: (order.get(o.document, len(order)), o.document))
    groups: dict[str, list[tuple[Outcome, Facts]]] = {}
    for o in everything:
        groups.setdefault(o.document, []).append((o, _facts(o, facts or {})))
    page = _INDEX.render(
        company=plan.company,
        period=result.period,
        built=sum(o.status == "built" for o in everything),
        failed=sum(o.status != "built" for o in everything),
        total=len(everything),
        seconds=result.seconds,
        groups=[(titles.get(name, name), rows) for name, rows in groups.items()],
        everything=everything,
        labels=_LABELS,
        script=Markup(_SCRIPT),
        script_hash=_SCRIPT_HASH,
    )
    index = result.out_dir / "index.html"
    write_atomic(index, page)
    ledger = {
        "plan": str(plan.path),
        "dataset": dataset or result.out_dir.parent.name,
        "period": result.period,
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "seconds": result.seconds,
        "documents": [asdict(o) for o in everything],
    }
    write_atomic(result.out_dir / "build.json", json.dumps(ledger, indent=1) + "\n")
    (result.out_dir / JOURNAL).unlink(missing_ok=True)  # build.json now says it all
    return index
