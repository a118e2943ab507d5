"""The headline metrics (``cslib metrics``) as text: JSON, CSV for spreadsheets, a table for people.

One result of :func:`cslib.metrics.summary.period_metrics` in the ``--format`` asked for.
"""

from __future__ import annotations

import json

from cslib.errors import ParameterError
from cslib.export import csv_text
from cslib.metrics.summary import METRIC_KEYS
from cslib.present.formats import DASH, fmt_count, fmt_money, fmt_percent, fmt_ratio, fmt_score
from cslib.terminal import terminal_text

__all__ = ["CSV_ID_COLUMNS", "FORMATS", "render", "to_csv", "to_table"]

#: The output formats of ``cslib metrics`` and ``cslib health backtest``.
FORMATS = ("json", "csv", "table")


def _groups(result: dict) -> tuple[str | None, dict[str, dict]]:
    """The ``--by`` column and its groups' metrics (``None`` and no groups without ``--by``)."""
    for by, groups in result.get("by", {}).items():
        return str(by), groups
    return None, {}


#: The columns before the metrics in ``--format csv``: the company row has ``level``
#: ``company`` and no ``by`` or ``group``; a group row has ``level`` ``group``, the ``--by``
#: column in ``by`` and its value in ``group``. Whatever the groups are named (``total``
#: too), the company row is the one whose ``level`` is ``company``.
CSV_ID_COLUMNS = ("period", "level", "by", "group")
_COUNTS = tuple(k for k in METRIC_KEYS if k.startswith("customers") or k.endswith("_responses"))


def to_csv(result: dict) -> str:
    """The company row, then one row per group; METRICS keys as columns; empty = undefined.

    Cells are written by :func:`cslib.export.csv_text`: text quoted, a text that a
    spreadsheet would run as a formula neutralised, numbers as numbers.
    """
    by, groups = _groups(result)

    def row(level: str, group: str | None, metrics: dict) -> list[object]:
        values = [
            int(metrics[k]) if k in _COUNTS and metrics[k] is not None else metrics[k]
            for k in METRIC_KEYS
        ]
        return [result["period"], level, by if group is not None else None, group, *values]

    rows = [row("company", None, result["total"])]
    rows += [row("group", str(name), metrics) for name, metrics in groups.items()]
    return csv_text(rows, header=[*CSV_ID_COLUMNS, *METRIC_KEYS])


_LABELS = {
    "starting_mrr": "Starting MRR", "new_mrr": "+ New", "expansion_mrr": "+ Expansion",
    "reactivation_mrr": "+ Reactivation", "contraction_mrr": "- Contraction",
    "churned_mrr": "- Churned", "ending_mrr": "Ending MRR", "nrr": "NRR", "grr": "GRR",
    "logo_retention": "Logo retention", "logo_churn": "Logo churn",
    "customers_start": "Customers (start)", "customers_end": "Customers (end)",
    "quick_ratio": "Quick ratio", "nps": "NPS", "nps_margin": "NPS margin (95%)",
    "nps_responses": "NPS responses", "csat": "CSAT", "csat_responses": "CSAT responses",
    "ces": "CES (1-7)", "ces_responses": "CES responses",
}  # fmt: skip
_ORDER = (
    "starting_mrr", "new_mrr", "expansion_mrr", "reactivation_mrr", "contraction_mrr",
    "churned_mrr", "ending_mrr", "nrr", "grr", "logo_retention", "logo_churn",
    "customers_start", "customers_end", "quick_ratio", "nps", "nps_margin", "nps_responses",
    "csat", "csat_responses", "ces", "ces_responses",
)  # fmt: skip


def _fmt(key: str, value: float | None) -> str:
    if key.endswith("_mrr"):
        return fmt_money(value)
    if key in ("nrr", "grr", "logo_retention", "logo_churn", "csat"):
        return fmt_percent(value)
    if key == "quick_ratio":
        return fmt_ratio(value)
    if key == "nps_margin":
        text = fmt_score(value)
        return text if text == DASH else "±" + text
    if key in ("nps", "ces"):
        return fmt_score(value, digits=1 if key == "nps" else 2)
    return fmt_count(value)


def to_table(result: dict) -> str:
    """An aligned, formatted table for people: metrics down, the company and groups across.

    The company's column comes first, then a ``|`` and the groups under the name
    of the ``--by`` column, so a group named "Company" or "total" can never be
    taken for the company. Names from the data are shown with control characters
    escaped (:func:`cslib.terminal.terminal_text`).
    """
    by, groups = _groups(result)
    names = [terminal_text(g, one_line=True) for g in groups]
    columns = [result["total"], *groups.values()]
    headers = ["Metric", "Company", *names]
    body = [[_LABELS[k], *[_fmt(k, c[k]) for c in columns]] for k in _ORDER]
    rule = ["-" * 3] * len(headers)
    widths = [max(len(r[i]) for r in [headers, rule, *body]) for i in range(len(headers))]
    above = f"{terminal_text(by, one_line=True)}" if by is not None else ""
    if groups:  # the --by column's name spans the groups; widen the last one if needed
        span = sum(widths[2:]) + 2 * (len(widths) - 3)
        widths[-1] += max(0, len(above) - span)

    def line(cells: list[str], *, fill: str = " ") -> str:
        left = cells[0].ljust(widths[0], fill) + "  " + cells[1].rjust(widths[1], fill)
        if not groups:
            return left
        right = "  ".join(c.rjust(w, fill) for c, w in zip(cells[2:], widths[2:], strict=True))
        return f"{left}  |  {right}"

    title = f"Period {result['period']}: {result['start_month']} -> {result['end_month']}"
    lines = [title, ""]
    if groups:
        lines.append(" " * (widths[0] + 2 + widths[1]) + "  |  "
                     + above.ljust(sum(widths[2:]) + 2 * (len(widths) - 3)))
    lines.append(line(headers))
    lines.append(line([""] * len(headers), fill="-"))
    lines += [line(row) for row in body]
    return "\n".join(lines) + "\n"


def render(result: dict, fmt: str) -> str:
    """The metrics result in one of FORMATS."""
    if fmt == "json":
        return json.dumps(result, indent=2, allow_nan=False) + "\n"
    if fmt == "csv":
        return to_csv(result)
    if fmt == "table":
        return to_table(result)
    raise ParameterError(f"`--format` must be one of {', '.join(FORMATS)}, got {fmt!r}.")
