"""The manager digest and the CSM weekly summary: one portfolio snapshot, two scopes.

Both compare today's bands with an earlier day (yesterday for the daily digest,
a week ago for the weekly summary), so "turned red" and "recovered" always mean a
real band change between two stored snapshots. When no earlier snapshot exists (the
first digest) there is nothing to compare, and the digest says so instead of showing
every account as a change.

Money stays per currency (accounts carry their own), exactly as Q&A totals do: ARR in
euros is never added to ARR in dollars. The 30-day chart plots scored days only: a day
without snapshots has no figure, which is not the same as $0 at risk.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from bot.db import digest_queries as q
from bot.errors import UserFacingError
from bot.money import MoneyTotals, current_locale, format_money
from bot.services.accounts.permissions import digest_scope, viewer_for
from bot.services.accounts.viewers import Visibility

BANDS = ("red", "yellow", "green")
CHART_DAYS = 30


def _totals(accounts: list[q.AccountBand]) -> MoneyTotals:
    sums: dict[str, float] = {}
    for account in accounts:
        sums[account.currency] = sums.get(account.currency, 0.0) + account.arr
    return sorted(sums.items(), key=lambda item: (-item[1], item[0]))


def _changes(now: MoneyTotals, before: MoneyTotals) -> MoneyTotals:
    """Change per currency (every currency in either total; ±0 kept so nothing hides)."""
    then = dict(before)
    changes = [(currency, amount - then.pop(currency, 0.0)) for currency, amount in now]
    return changes + [(currency, -amount) for currency, amount in then.items()]


@dataclass
class PortfolioDigest:
    title: str
    scope_label: str
    today: date
    compare_day: date
    accounts: int
    band_counts: dict[str, int]
    band_change: dict[str, int]
    arr_at_risk: MoneyTotals
    arr_at_risk_change: MoneyTotals
    turned_red: list[q.AccountBand]
    recovered: list[q.AccountBand]
    renewals_30: list[tuple[q.RenewalRow, q.AccountBand | None]]
    renewals_90: list[tuple[q.RenewalRow, q.AccountBand | None]]
    overdue_by_owner: list[tuple[str, str | None, int]]
    completed_ctas: int
    raised_ctas: int
    open_ctas: int
    escalations_past_sla: list[tuple[int, str, str, datetime]]
    scores: list[float] = field(default_factory=list)
    # Per currency: (day, red ARR) for scored days only, oldest first.
    red_arr_series: dict[str, list[tuple[date, float]]] = field(default_factory=dict)
    scope_key: str = "all"
    has_comparison: bool = True  # False on the first digest: no earlier snapshot exists

    @property
    def completion_rate(self) -> float | None:
        return self.completed_ctas / self.raised_ctas if self.raised_ctas else None

    @property
    def chart_start(self) -> date:
        return self.today - timedelta(days=CHART_DAYS - 1)

    def chart_spec(self) -> dict[str, Any]:
        """JSON-safe data the chart renderer draws (stored on the outbox row).

        ``red_arr`` maps currency → [[day, ARR]] for scored days only; ``window`` is the
        30-day span the x axis covers, so unscored days show as gaps, never as zeros.
        """
        scored = {d for series in self.red_arr_series.values() for d, _ in series}
        return {
            "title": self.title,
            "scores": [round(s, 1) for s in self.scores],
            "window": [self.chart_start.isoformat(), self.today.isoformat()],
            "scored_days": len(scored),
            "red_arr": {
                currency: [[d.isoformat(), v] for d, v in series]
                for currency, series in self.red_arr_series.items()
            },
            "locale": current_locale(),
        }


def build_portfolio_digest(
    session: Session,
    *,
    title: str,
    scope_label: str,
    scope_key: str,
    csm_ids: list[str] | None,
    now: datetime,
    today: date,
    compare_days: int,
) -> PortfolioDigest:
    current = q.bands_as_of(session=session, day=today, csm_ids=csm_ids)
    compare_day = today - timedelta(days=compare_days)
    earlier = q.bands_as_of(session=session, day=compare_day, csm_ids=csm_ids)
    counts = Counter(a.band for a in current.values())
    before = Counter(a.band for a in earlier.values())
    turned_red = sorted(
        (
            a
            for a in current.values()
            if a.band == "red" and a.account_id in earlier and earlier[a.account_id].band != "red"
        ),
        key=lambda a: -a.arr,
    )
    recovered = sorted(
        (
            a
            for a in current.values()
            if a.band != "red" and a.account_id in earlier and earlier[a.account_id].band == "red"
        ),
        key=lambda a: -a.arr,
    )
    arr_at_risk = _totals([a for a in current.values() if a.band == "red"])
    arr_before = _totals([a for a in earlier.values() if a.band == "red"])
    renewals = q.renewals_between(
        session=session, start=today, end=today + timedelta(days=90), csm_ids=csm_ids
    )
    with_health = [(r, current.get(r.account_id)) for r in renewals]
    completed, raised = q.cta_completion(
        session=session, since=now - timedelta(days=30), csm_ids=csm_ids
    )
    series = _red_arr_series(session, today=today, csm_ids=csm_ids, current=current)
    return PortfolioDigest(
        title=title,
        scope_label=scope_label,
        scope_key=scope_key,
        today=today,
        compare_day=compare_day,
        accounts=len(current),
        band_counts={band: counts.get(band, 0) for band in BANDS},
        band_change={band: counts.get(band, 0) - before.get(band, 0) for band in BANDS},
        arr_at_risk=arr_at_risk,
        arr_at_risk_change=_changes(arr_at_risk, arr_before),
        has_comparison=bool(earlier),
        turned_red=turned_red,
        recovered=recovered,
        renewals_30=[(r, h) for r, h in with_health if r.end_date <= today + timedelta(days=30)],
        renewals_90=with_health,
        overdue_by_owner=q.overdue_ctas_by_owner(session=session, today=today, csm_ids=csm_ids),
        completed_ctas=completed,
        raised_ctas=raised,
        open_ctas=q.open_ctas_count(session=session, csm_ids=csm_ids),
        escalations_past_sla=q.escalations_past_sla(session=session, now=now, csm_ids=csm_ids),
        scores=[a.score for a in current.values()],
        red_arr_series=series,
    )


def _red_arr_series(
    session: Session,
    *,
    today: date,
    csm_ids: list[str] | None,
    current: dict[str, q.AccountBand],
) -> dict[str, list[tuple[date, float]]]:
    """Red ARR per currency on each scored day of the chart window (a scored day with no
    red account is a real 0; a day nobody scored is left out)."""
    start = today - timedelta(days=CHART_DAYS - 1)
    days = q.scored_days_between(session=session, start=start, end=today, csm_ids=csm_ids)
    red = q.red_arr_by_day(session=session, start=start, end=today, csm_ids=csm_ids)
    currencies = sorted({c for by_currency in red.values() for c in by_currency}) or sorted(
        {a.currency for a in current.values()}
    )
    return {
        currency: [(day, red.get(day, {}).get(currency, 0.0)) for day in days]
        for currency in currencies
    }


def drill_down(
    session: Session,
    *,
    what: str,
    scope_key: str,
    slack_user_id: str,
    day: date,
    visibility: Visibility,
) -> tuple[str, list[str]]:
    """The list behind a digest button on ``day`` (the digest's own day), for its reader.

    ``scope_key`` is ``all``, ``team:<manager id>`` or ``csm:<csm id>``; who may open
    which book, and how far the list may go, is :func:`permissions.digest_scope`.
    """
    viewer = viewer_for(session, slack_user_id, visibility=visibility)
    scope = digest_scope(session, viewer, scope_key)
    csm_ids = sorted(scope.csm_ids) if scope.csm_ids is not None else None
    if what == "red":
        bands = q.bands_as_of(session=session, day=day, csm_ids=csm_ids)
        red = sorted((a for a in bands.values() if a.band == "red"), key=lambda a: -a.arr)
        return "Red accounts", [
            f"• {a.name} — {a.score:.0f}, ARR {format_money(a.arr, a.currency)}" for a in red
        ]
    if what == "renewals":
        current = q.bands_as_of(session=session, day=day, csm_ids=csm_ids)
        rows = q.renewals_between(
            session=session, start=day, end=day + timedelta(days=30), csm_ids=csm_ids
        )
        lines = []
        for r in rows:
            health = current.get(r.account_id)
            state = f"{health.band} {health.score:.0f}" if health else "not scored"
            money = format_money(r.arr, r.currency)
            lines.append(f"• {r.name} — ends {r.end_date:%d %b}, {money}, {state}")
        return "Renewals in 30 days", lines
    if what == "overdue":
        rows = q.overdue_ctas_by_owner(session=session, today=day, csm_ids=csm_ids)
        return "Overdue CTAs", [f"• {name}: {n} overdue" for name, _, n in rows]
    raise UserFacingError(f"Unknown digest list {what!r}.")
