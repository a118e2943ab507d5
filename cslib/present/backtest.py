"""``cslib health backtest`` for people and programs: the backtest as a text table or CSV rows.

:func:`backtest_text` prints the loss rate and lift by band, each measure's
AUC beside its current and suggested weight, each flag's precision and
recall; :func:`backtest_csv` writes the same as rows (``section``, ``name``,
figures), cells by :func:`cslib.export.csv_text`. The figures come from
:func:`cslib.metrics.backtest.run_backtest`.
"""

from __future__ import annotations

from cslib.export import csv_text
from cslib.present.formats import DASH, fmt_percent

__all__ = ["BACKTEST_COLUMNS", "backtest_csv", "backtest_text"]


#: ``cslib health backtest --format csv`` columns: one row per band, measure and flag.
BACKTEST_COLUMNS = ("section", "name", "accounts", "lost", "loss_rate", "lift", "auc",
                    "precision", "recall", "suggested_weight", "current_weight")


def backtest_csv(result: dict) -> str:
    """The backtest as rows: ``overall``, each ``band``, ``measure`` and ``flag``."""
    rows: list[list[object]] = [["overall", "health_score", result["accounts"], result["lost"],
                                 result["loss_rate"], 1.0, result["auc"], None, None, None,
                                 None]]
    for band, b in result["bands"].items():
        rows.append(["band", band, b["accounts"], b["lost"], b["loss_rate"], b["lift"], None,
                     None, None, None, None])
    suggested = result.get("suggested") or {}
    for name, m in result["measures"].items():
        rows.append(["measure", name, m["accounts"], None, None, None, m["auc"], None, None,
                     (suggested.get("weights") or {}).get(name),
                     (suggested.get("current") or {}).get(name)])
    for name, f in result["flags"].items():
        rows.append(["flag", name, f["flagged"], f["lost"], f["precision"], f["lift"], None,
                     f["precision"], f["recall"], None, None])
    return csv_text(rows, header=list(BACKTEST_COLUMNS))


def backtest_text(result: dict) -> str:
    """The backtest for people: loss rate and lift by band, AUCs, flags, suggested weights."""
    pct = lambda v: fmt_percent(v)  # noqa: E731
    num = lambda v, d=2: DASH if v is None else f"{v:.{d}f}"  # noqa: E731
    quarters = result["quarters"]
    lines = [
        f"Health score backtest, {quarters[0]}..{quarters[-1]} ({len(quarters)} quarters): "
        f"{result['accounts']:,} account-quarters, {result['lost']:,} lost "
        f"(churned or contracted), loss rate {pct(result['loss_rate'])}",
        f"ROC AUC of the health score: {num(result['auc'])} (0.50 = no better than chance, "
        "1.00 = every loss scored below every kept account)",
        "",
        f"{'Band at quarter start':<24}{'Accounts':>10}{'Lost':>7}{'Loss rate':>11}{'Lift':>7}",
    ]
    for band, b in result["bands"].items():
        if b["accounts"]:
            lines.append(f"{band:<24}{b['accounts']:>10,}{b['lost']:>7,}"
                         f"{pct(b['loss_rate']):>11}{num(b['lift']):>7}")
    suggested = result.get("suggested") or {}
    weights = suggested.get("weights") or {}
    current = suggested.get("current") or {}
    lines += ["", f"{'Measure':<30}{'With data':>10}{'AUC alone':>11}{'Weight now':>12}"
              f"{'Suggested':>11}"]
    for name, m in result["measures"].items():
        lines.append(f"{name:<30}{m['accounts']:>10,}{num(m['auc']):>11}"
                     f"{num(current.get(name), 1):>12}{num(weights.get(name), 1):>11}")
    lines += ["", f"{'Flag at quarter start':<24}{'Flagged':>9}{'Lost':>7}{'Precision':>11}"
              f"{'Recall':>9}{'Lift':>7}"]
    for name, f in result["flags"].items():
        label = "any flag" if name == "flagged" else name
        lines.append(f"{label:<24}{f['flagged']:>9,}{f['lost']:>7,}{pct(f['precision']):>11}"
                     f"{pct(f['recall']):>9}{num(f['lift']):>7}")
    lines.append("")
    if suggested.get("fitted"):
        lines.append(
            f"Suggested weights: L2 logistic regression on the measure scores, cross-validated "
            f"by quarter ({suggested['folds']} folds): held-out AUC {num(suggested['cv_auc'])} "
            f"against {num(suggested['current_auc'])} for the current score. A suggestion: "
            "nothing is changed; copy the weights into params/health.yaml to adopt them.")
    elif suggested:
        lines.append(f"No weights suggested: {suggested['reason']}")
    lines.append("Scores use only data dated on or before the day before each quarter; goal "
                 "statuses are not dated and are left out.")
    return "\n".join(lines) + "\n"
