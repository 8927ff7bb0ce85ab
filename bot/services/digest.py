"""The manager digest and the CSM weekly summary: one portfolio snapshot, two scopes.

Both compare today's bands with an earlier day (yesterday for the daily digest,
a week ago for the weekly summary), so "turned red" and "recovered" always mean a
real band change between two stored snapshots.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from bot.db import digest_queries as q
from bot.errors import UserFacingError
from bot.services.permissions import digest_scope, viewer_for
from bot.services.viewers import Visibility

BANDS = ("red", "yellow", "green")


@dataclass
class PortfolioDigest:
    title: str
    scope_label: str
    today: date
    compare_day: date
    accounts: int
    band_counts: dict[str, int]
    band_change: dict[str, int]
    arr_at_risk: float
    arr_at_risk_change: float
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
    red_arr_series: list[tuple[date, float]] = field(default_factory=list)
    scope_key: str = "all"

    @property
    def completion_rate(self) -> float | None:
        return self.completed_ctas / self.raised_ctas if self.raised_ctas else None

    def chart_spec(self) -> dict[str, Any]:
        """JSON-safe data the chart renderer draws (stored on the outbox row)."""
        return {
            "title": self.title,
            "scores": [round(s, 1) for s in self.scores],
            "red_arr": [[d.isoformat(), v] for d, v in self.red_arr_series],
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
    arr_at_risk = sum(a.arr for a in current.values() if a.band == "red")
    arr_before = sum(a.arr for a in earlier.values() if a.band == "red")
    renewals = q.renewals_between(
        session=session, start=today, end=today + timedelta(days=90), csm_ids=csm_ids
    )
    with_health = [(r, current.get(r.account_id)) for r in renewals]
    completed, raised = q.cta_completion(
        session=session, since=now - timedelta(days=30), csm_ids=csm_ids
    )
    series_map = q.red_arr_by_day(
        session=session, start=today - timedelta(days=29), end=today, csm_ids=csm_ids
    )
    series = [
        (today - timedelta(days=n), series_map.get(today - timedelta(days=n), 0.0))
        for n in range(29, -1, -1)
    ]
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
        arr_at_risk_change=arr_at_risk - arr_before,
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
        return "Red accounts", [f"• {a.name} — {a.score:.0f}, ARR ${a.arr:,.0f}" for a in red]
    if what == "renewals":
        current = q.bands_as_of(session=session, day=day, csm_ids=csm_ids)
        rows = q.renewals_between(
            session=session, start=day, end=day + timedelta(days=30), csm_ids=csm_ids
        )
        lines = []
        for r in rows:
            health = current.get(r.account_id)
            state = f"{health.band} {health.score:.0f}" if health else "not scored"
            lines.append(f"• {r.name} — ends {r.end_date:%d %b}, ${r.arr:,.0f}, {state}")
        return "Renewals in 30 days", lines
    if what == "overdue":
        rows = q.overdue_ctas_by_owner(session=session, today=day, csm_ids=csm_ids)
        return "Overdue CTAs", [f"• {name}: {n} overdue" for name, _, n in rows]
    raise UserFacingError(f"Unknown digest list {what!r}.")
