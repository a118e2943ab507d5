"""The sample company's tables, drawn from its simulated book."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cslib.data.sample._book import _Book, _ids, _iso, _pick
from cslib.data.sample._vocab import (
    _ADVOCACY_KINDS,
    _CATEGORIES,
    _CATEGORY_P_HIGH,
    _CATEGORY_P_LOW,
    _COMMENTS,
    _EXEC_TITLES,
    _FIRST_NAMES,
    _GOALS,
    _INDUSTRIES,
    _LAST_NAMES,
    _LEGAL,
    _PRIORITIES,
    _PRIORITY_P,
    _REGION_P,
    _REGIONS,
    _RESOLUTION_DAYS,
    _SEGMENTS,
    _STEMS,
    _STRENGTHS,
    _SURVEY_DAY,
    _SURVEY_MONTHS,
    _USER_TITLES,
)


def _accounts_table(rng: np.random.Generator, book: _Book) -> pd.DataFrame:
    """One row per account: names, segment, region, industry, CSM, plan, renewal date."""
    n = book.n
    industries = list(_INDUSTRIES)
    nouns = [(ind, noun) for ind in industries for noun in _INDUSTRIES[ind]]
    combos = len(_STEMS) * len(nouns)
    chosen = rng.choice(combos, size=n, replace=False)
    region = _pick(rng, _REGIONS, _REGION_P, n)
    legal_draw = rng.random(n)
    legal_pick = rng.integers(0, 1000, size=n)
    names, industry = [], []
    for k, (c, reg) in enumerate(zip(chosen, region, strict=True)):
        stem, (ind, noun) = _STEMS[c // len(nouns)], nouns[c % len(nouns)]
        suffix = _LEGAL[reg][legal_pick[k] % len(_LEGAL[reg])] if legal_draw[k] < 0.45 else ""
        names.append(f"{stem} {noun} {suffix}".strip())
        industry.append(ind)
    csm = np.empty(n, dtype=object)
    plan = np.empty(n, dtype=object)
    for s, seg in enumerate(_SEGMENTS):
        mine = np.nonzero(book.segment == s)[0]
        csm[mine] = np.asarray(seg.csms, dtype=object)[rng.integers(0, len(seg.csms), len(mine))]
        plan[mine] = _pick(rng, seg.plans, seg.plan_p, len(mine))
    renewal = book.cal.starts[book.renewal_t] + (book.renewal_day - 1).astype("timedelta64[D]")
    return pd.DataFrame(
        {
            "account_id": _ids("A", n, 4),
            "name": names,
            "segment": [_SEGMENTS[s].name for s in book.segment],
            "region": region,
            "industry": industry,
            "csm": csm,
            "plan": plan,
            "renewal_date": _iso(renewal),
        }
    )


def _mrr_table(book: _Book, account_ids: np.ndarray) -> pd.DataFrame:
    """One row per account and month with MRR > 0."""
    ii, tt = np.nonzero(book.seats > 0)
    return pd.DataFrame(
        {
            "account_id": account_ids[ii],
            "month": book.cal.labels[tt],
            "mrr": book.mrr[ii, tt].astype(np.float64),
        }
    )


def _usage_table(book: _Book, account_ids: np.ndarray) -> pd.DataFrame:
    """Active users and licensed seats for every paying account-month."""
    ii, tt = np.nonzero(book.seats > 0)
    return pd.DataFrame(
        {
            "account_id": account_ids[ii],
            "month": book.cal.labels[tt],
            "active_users": book.active[ii, tt],
            "licensed_seats": book.seats[ii, tt],
        }
    )


@dataclass(frozen=True)
class _Contacts:
    """The contacts table plus the lookups needed to pick a contact quickly."""

    table: pd.DataFrame
    account: np.ndarray  # account index per contact
    is_user: np.ndarray  # True for role "user"
    key: np.ndarray  # group (2 x account + is_user) + cumulative pick weight in (0, 1]

    def pick(self, rng: np.random.Generator, account: np.ndarray, user: np.ndarray) -> np.ndarray:
        """Pick one contact (row index) of the given account and role, stronger ties likelier."""
        target = 2 * account + user.astype(np.int64) + rng.random(len(account))
        return np.searchsorted(self.key, target, side="right")


def _contacts_table(rng: np.random.Generator, book: _Book, account_ids: np.ndarray) -> _Contacts:
    """Executive and user contacts per account, with relationship strength."""
    n = book.n
    execs = np.array([s.executives for s in _SEGMENTS])[book.segment]
    users = np.array([s.users for s in _SEGMENTS])[book.segment]
    n_exec = rng.integers(execs[:, 0], execs[:, 1] + 1)
    n_user = rng.integers(users[:, 0], users[:, 1] + 1)
    size = n_exec + n_user
    account = np.repeat(np.arange(n), size)
    first = np.repeat(np.cumsum(size) - size, size)
    is_user = (np.arange(len(account)) - first) >= n_exec[account]

    offset = np.where(
        is_user, book.profile("user_bond")[account], book.profile("exec_bond")[account]
    )
    latent = book.bond[account] + offset - 1.0 + rng.standard_normal(len(account))
    level = np.digitize(latent, [-1.6, -0.7, 0.25, 1.3])

    n_people = len(_FIRST_NAMES) * len(_LAST_NAMES)
    n_last = len(_LAST_NAMES)
    names: list[str] = []
    for i in range(n):  # distinct names within an account
        for p in rng.choice(n_people, size=size[i], replace=False):
            names.append(f"{_FIRST_NAMES[p // n_last]} {_LAST_NAMES[p % n_last]}")
    title = np.where(
        is_user,
        np.asarray(_USER_TITLES, dtype=object)[rng.integers(0, len(_USER_TITLES), len(account))],
        np.asarray(_EXEC_TITLES, dtype=object)[rng.integers(0, len(_EXEC_TITLES), len(account))],
    )
    table = pd.DataFrame(
        {
            "contact_id": _ids("C", len(account), 5),
            "account_id": account_ids[account],
            "name": names,
            "role": np.where(is_user, "user", "executive"),
            "title": title,
            "strength": np.asarray(_STRENGTHS)[level],
        }
    )
    group = 2 * account + is_user
    weight = 1.0 + level
    total = np.bincount(group, weights=weight, minlength=2 * n)
    cum = np.cumsum(weight)
    before = np.concatenate([[0.0], np.cumsum(total)])[group]
    key = group + (cum - before) / total[group]
    return _Contacts(table=table, account=account, is_user=is_user, key=key)


def _activities_table(
    rng: np.random.Generator, book: _Book, contacts: _Contacts, account_ids: np.ndarray
) -> pd.DataFrame:
    """CSM touches: routine ones each paying month, and executive meetings before renewals."""
    cal = book.cal
    ii, tt = np.nonzero(book.seats > 0)
    rate = (
        book.profile("activities")[ii]
        * book.engagement[ii]
        * np.where(book.declining[ii, tt], 0.7, 1.0)
    )
    count = rng.poisson(rate)
    acc, month = np.repeat(ii, count), np.repeat(tt, count)
    day = cal.random_day(rng, month)
    user = rng.random(len(acc)) >= book.profile("exec_share")[acc]
    kinds = ("email", "call", "meeting", "event")
    kind = np.where(
        user,
        _pick(rng, kinds, (0.45, 0.25, 0.25, 0.05), len(acc)),
        _pick(rng, kinds, (0.25, 0.25, 0.45, 0.05), len(acc)),
    )

    # renewal preparation: an executive meeting or call 3 to 45 days before the renewal
    ev = book.renewal_events
    prep = rng.random(len(ev)) < book.profile("renewal_prep")[ev[:, 0]]
    ev = ev[prep]
    renewal = cal.starts[ev[:, 1]] + (ev[:, 2] - 1).astype("timedelta64[D]")
    prep_day = renewal - rng.integers(3, 46, size=len(ev)).astype("timedelta64[D]")
    prep_month = cal.month_of(prep_day)
    ok = (prep_day <= cal.as_of) & (prep_month >= 0)
    ok[ok] &= book.seats[ev[ok, 0], prep_month[ok]] > 0
    acc = np.concatenate([acc, ev[ok, 0]])
    day = np.concatenate([day, prep_day[ok]])
    user = np.concatenate([user, np.zeros(ok.sum(), dtype=bool)])
    kind = np.concatenate([kind, _pick(rng, ("call", "meeting"), (0.3, 0.7), int(ok.sum()))])
    contact = contacts.pick(rng, acc, user)
    frame = pd.DataFrame(
        {
            "account_id": account_ids[acc],
            "occurred_on": _iso(day),
            "kind": kind,
            "contact_id": contacts.table["contact_id"].to_numpy()[contact],
        }
    ).sort_values(["occurred_on", "account_id"], kind="stable", ignore_index=True)
    frame.insert(0, "activity_id", _ids("V", len(frame), 6))
    return frame


def _nps_table(
    rng: np.random.Generator, book: _Book, contacts: _Contacts, account_ids: np.ndarray
) -> pd.DataFrame:
    """Relationship NPS: a survey wave each March and September to paying accounts."""
    cal = book.cal
    month_of_year = np.array([int(label[5:]) for label in cal.labels])
    waves = np.nonzero(np.isin(month_of_year, _SURVEY_MONTHS))[0]
    n_contacts = len(contacts.account)
    group_start = np.searchsorted(contacts.account, np.arange(book.n))
    parts = []
    for t in waves:
        wanted = rng.poisson(book.profile("nps_responses"))
        order = np.lexsort((rng.random(n_contacts), contacts.account))
        rank = np.empty(n_contacts, dtype=np.int64)
        rank[order] = np.arange(n_contacts) - group_start[contacts.account[order]]
        paying = book.seats[contacts.account, t] > 0
        who = np.nonzero(paying & (rank < wanted[contacts.account]))[0]
        acc = contacts.account[who]
        sent = cal.starts[t] + np.timedelta64(_SURVEY_DAY - 1, "D")
        lag = np.minimum(np.floor(rng.exponential(5.0, len(who))), 27).astype(np.int64)
        day = sent + lag.astype("timedelta64[D]")
        mean = (
            8.2
            + 1.2 * book.health[acc]
            + 0.3 * ~contacts.is_user[who]
            - 1.5 * book.declining[acc, t]
        )
        score = np.clip(np.round(mean + 1.5 * rng.standard_normal(len(who))), 0, 10)
        parts.append(pd.DataFrame({"acc": acc, "day": day, "score": score, "contact": who}))
    resp = pd.concat(parts, ignore_index=True)
    resp = resp[resp["day"].to_numpy() <= cal.as_of]
    m = len(resp)
    score = resp["score"].to_numpy().astype(np.int64)
    band = np.where(score >= 9, "promoter", np.where(score >= 7, "passive", "detractor"))
    pick = rng.integers(0, 1000, size=m)
    comment = [_COMMENTS[b][k % len(_COMMENTS[b])] for b, k in zip(band, pick, strict=True)]
    comment = np.where(rng.random(m) < 0.45, None, np.asarray(comment, dtype=object))
    contact_id = contacts.table["contact_id"].to_numpy()[resp["contact"].to_numpy()]
    contact_id = np.where(rng.random(m) < 0.1, None, contact_id)  # anonymous answers
    frame = pd.DataFrame(
        {
            "account_id": account_ids[resp["acc"].to_numpy()],
            "responded_on": _iso(resp["day"].to_numpy()),
            "score": score,
            "contact_id": contact_id,
            "comment": comment,
        }
    ).sort_values(["responded_on", "account_id"], kind="stable", ignore_index=True)
    frame.insert(0, "response_id", _ids("R", len(frame), 5))
    return frame


def _tickets_table(rng: np.random.Generator, book: _Book, account_ids: np.ndarray,
                   topics: np.random.Generator) -> pd.DataFrame:
    """Support tickets, their category and resolution, and the CSAT/CES answers some got.

    CES is the 1-7 agreement with "the company made it easy to handle my
    issue" (CES 2.0), so 7 is best. Categories are drawn from their own
    stream (``topics``), so adding them left every other value as it was.
    """
    cal = book.cal
    ii, tt = np.nonzero(book.seats > 0)
    rate = book.profile("tickets")[ii] * np.exp(-0.25 * book.health[ii])
    count = rng.poisson(rate)
    acc, month = np.repeat(ii, count), np.repeat(tt, count)
    m = len(acc)
    opened = cal.random_day(rng, month)
    prio = rng.choice(len(_PRIORITIES), size=m, p=_PRIORITY_P)
    days = np.floor(np.asarray(_RESOLUTION_DAYS)[prio] * np.exp(0.8 * rng.standard_normal(m)))
    closed = opened + days.astype(np.int64).astype("timedelta64[D]")
    is_open = closed > cal.as_of
    slow = days > 2 * np.asarray(_RESOLUTION_DAYS)[prio]
    h = book.health[acc]
    csat = np.clip(np.round(4.2 + 0.5 * h - 0.6 * slow + 0.9 * rng.standard_normal(m)), 1, 5)
    ces = np.clip(np.round(5.4 + 0.5 * h - 0.8 * slow + 1.1 * rng.standard_normal(m)), 1, 7)
    csat_answered = (rng.random(m) < 0.35) & ~is_open
    ces_answered = (rng.random(m) < 0.25) & ~is_open
    mix = np.clip((h + 1.0) / 2.0, 0.0, 1.0)[:, None]
    weights = (1 - mix) * np.asarray(_CATEGORY_P_LOW) + mix * np.asarray(_CATEGORY_P_HIGH)
    pick = (topics.random(m)[:, None] > np.cumsum(weights, axis=1)).sum(axis=1)
    category = np.asarray(_CATEGORIES, dtype=object)[np.minimum(pick, len(_CATEGORIES) - 1)]
    frame = pd.DataFrame(
        {
            "account_id": account_ids[acc],
            "opened_on": _iso(opened),
            "closed_on": np.where(is_open, None, _iso(closed).astype(object)),
            "priority": np.asarray(_PRIORITIES, dtype=object)[prio],
            "category": category,
            "csat": pd.array(np.where(csat_answered, csat, np.nan), dtype="Int64"),
            "ces": pd.array(np.where(ces_answered, ces, np.nan), dtype="Int64"),
        }
    ).sort_values(["opened_on", "account_id"], kind="stable", ignore_index=True)
    frame.insert(0, "ticket_id", _ids("T", len(frame), 5))
    return frame


def _goals_table(rng: np.random.Generator, book: _Book, account_ids: np.ndarray) -> pd.DataFrame:
    """Success-plan goals: a few per account, past ones achieved or missed, open ones tracked."""
    cal = book.cal
    paying = book.seats > 0
    first_day, end_day = cal.starts[0], cal.as_of
    rows = []
    for i in range(book.n):
        months = np.nonzero(paying[i])[0]
        lo = cal.starts[months[0]] if months[0] > 0 else first_day - np.timedelta64(120, "D")
        hi = cal.starts[months[-1] + 1] - np.timedelta64(1, "D")
        still = paying[i, -1]
        if still:
            lo = max(lo, end_day - np.timedelta64(450, "D"))
            k = rng.poisson(_SEGMENTS[book.segment[i]].goals)
        else:
            k = rng.poisson(0.6 * _SEGMENTS[book.segment[i]].goals)
        span = int((hi - lo).astype(np.int64))
        if k == 0 or span < (60 if still else 150):
            continue
        templates = rng.choice(len(_GOALS), size=min(k, len(_GOALS)), replace=False)
        for g in templates:
            title, metric, (b_lo, b_hi), direction, (c_lo, c_hi), dec = _GOALS[g]
            if still:
                created = lo + np.timedelta64(int(rng.integers(0, span - 30)), "D")
                due = created + np.timedelta64(int(rng.integers(90, 421)), "D")
            else:
                created = lo + np.timedelta64(int(rng.integers(0, span - 120)), "D")
                due = created + np.timedelta64(int(rng.integers(90, 366)), "D")
                due = min(due, hi)
            baseline = round(rng.uniform(b_lo, b_hi), dec)
            change = rng.uniform(c_lo, c_hi)
            target = round(baseline * change if direction == "down" else baseline + change, dec)
            # quality: the share of the target the account reaches by the due date
            quality = 1.0 + 0.25 * book.health[i] + 0.25 * rng.standard_normal()
            elapsed = float((end_day - created) / (due - created))
            if due <= end_day:
                status = "achieved" if quality >= 1.0 else "missed"
                progress = max(quality, 0.0) if quality >= 1.0 else min(max(quality, 0.0), 0.95)
            else:
                progress = max(elapsed * quality, 0.0)
                if progress >= 1.0:
                    status = "achieved"
                elif elapsed < 0.25 and quality < 0.95:
                    status, progress = "not_started", 0.0
                else:
                    status = "on_track" if quality >= 0.9 else "at_risk"
                    progress = min(progress, 0.95)
            progress = min(progress, 1.15)
            current = round(baseline + progress * (target - baseline), dec)
            reached = current <= target if direction == "down" else current >= target
            if reached and status != "achieved":  # rounding must not fake success
                step = 10.0**-dec
                current = round(target + step if direction == "down" else target - step, dec)
            rows.append((account_ids[i], title, due, status, metric, baseline, target, current))
    frame = pd.DataFrame(
        rows,
        columns=["account_id", "title", "due", "status", "metric", "baseline", "target", "current"],
    )
    frame.insert(2, "due_on", _iso(frame.pop("due").to_numpy(dtype="datetime64[D]")))
    for col in ("baseline", "target", "current"):
        frame[col] = frame[col].astype(np.float64)
    frame = frame.sort_values(["due_on", "account_id"], kind="stable", ignore_index=True)
    frame.insert(0, "goal_id", _ids("G", len(frame), 4))
    return frame


def _advocacy_table(rng: np.random.Generator, book: _Book, account_ids: np.ndarray) -> pd.DataFrame:
    """Referrals, reference calls, case studies and reviews from happy paying accounts."""
    cal = book.cal
    ii, tt = np.nonzero(book.seats > 0)
    size = np.array([1.6, 1.0, 0.7])[book.segment[ii]]
    rate = 0.008 * size * np.exp(1.1 * book.health[ii]) * ~book.declining[ii, tt]
    count = rng.poisson(rate)
    acc, month = np.repeat(ii, count), np.repeat(tt, count)
    day = cal.random_day(rng, month)
    kind_p = np.array(
        [[0.25, 0.40, 0.20, 0.15], [0.30, 0.35, 0.10, 0.25], [0.35, 0.10, 0.05, 0.50]]
    )[book.segment[acc]]
    kind = (rng.random(len(acc))[:, None] > np.cumsum(kind_p, axis=1)).sum(axis=1)
    frame = pd.DataFrame(
        {
            "account_id": account_ids[acc],
            "occurred_on": _iso(day),
            "kind": np.asarray(_ADVOCACY_KINDS, dtype=object)[kind],
        }
    ).sort_values(["occurred_on", "account_id"], kind="stable", ignore_index=True)
    frame.insert(0, "event_id", _ids("E", len(frame), 4))
    return frame


#: Why customers leave or cut back, as a CRM's loss form records it: (reason, weight when
#: usage was falling, weight otherwise).
_LOSS_REASONS = (
    ("Low adoption: the teams never made it part of their work", 4.0, 0.5),
    ("Budget cuts", 1.0, 2.0),
    ("Moved to a competitor", 1.5, 1.0),
    ("Champion left the company", 1.5, 1.0),
    ("Missing features", 1.0, 1.0),
    ("Company acquired", 0.3, 0.8),
)


def _churn_events_table(rng: np.random.Generator, book: _Book,
                        account_ids: np.ndarray) -> pd.DataFrame:
    """The loss form a CSM fills in when an account churns or contracts (not always)."""
    cal = book.cal
    mrr = book.mrr
    prev, cur = mrr[:, :-1], mrr[:, 1:]
    churn = (prev > 0) & (cur == 0)
    shrink = (prev > 0) & (cur > 0) & (cur < prev)
    ii, tt = np.nonzero(churn | shrink)
    tt = tt + 1  # the month the loss shows in
    kind = np.where(churn[ii, tt - 1], "churn", "contraction")
    recorded = rng.random(len(ii)) < np.where(kind == "churn", 0.8, 0.5)
    falling = book.declining[ii, tt - 1]
    weights = np.array([[w for _, w, _ in _LOSS_REASONS], [w for _, _, w in _LOSS_REASONS]])
    p = weights[np.where(falling, 0, 1)]
    p = p / p.sum(axis=1, keepdims=True)
    pick = (rng.random(len(ii))[:, None] > np.cumsum(p, axis=1)).sum(axis=1)
    day = cal.random_day(rng, tt)
    reasons = np.asarray([r for r, _, _ in _LOSS_REASONS], dtype=object)[
        np.minimum(pick, len(_LOSS_REASONS) - 1)]
    frame = pd.DataFrame(
        {
            "account_id": account_ids[ii][recorded],
            "occurred_on": _iso(day[recorded]),
            "kind": kind[recorded].astype(object),
            "reason": reasons[recorded],
        }
    ).sort_values(["occurred_on", "account_id"], kind="stable", ignore_index=True)
    frame.insert(0, "event_id", _ids("L", len(frame), 4))
    return frame


# --------------------------------------------------------------------------- public API


