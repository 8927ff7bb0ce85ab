"""The one computation behind each portfolio metric of :mod:`bot.services.metrics.glossary`.

The chat answers, the manager digest, App Home and the "what does X mean?" answer all
call these functions (and only these) for ARR at risk, at-risk and red accounts,
renewals due and NPS, so the same viewer on the same day reads the same figure
everywhere. The SQL is in ``bot.db.queries``; this module only chooses the query, the
scoring run and the window the glossary names.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.orm import Session

from bot.db.queries.health import scoring_date_on_or_before
from bot.db.queries.nps import portfolio_nps
from bot.db.queries.portfolio import portfolio_summary
from bot.db.queries.records import MoneyTotal, NpsSummary, PortfolioSummary, RenewalsInWindow
from bot.db.queries.renewals import renewals_between
from bot.db.queries.scope import AccountScope
from bot.services.metrics.glossary import NPS_WINDOW_DAYS, RED, RENEWALS_DUE_DAYS


def scoring_date_for(session: Session, today: date) -> date | None:
    """The scoring run a metric "today" reads: the newest one on or before ``today``."""
    return scoring_date_on_or_before(session=session, day=today)


@dataclass(frozen=True, slots=True)
class PortfolioFigures:
    """ARR at risk, at-risk and red accounts, and totals of one scope on one scoring run."""

    scoring_date: date | None
    summary: PortfolioSummary

    @property
    def arr_at_risk(self) -> list[MoneyTotal]:
        """Per currency, largest first (ARR in euros is never added to ARR in dollars)."""
        return self.summary.at_risk

    @property
    def at_risk_accounts(self) -> int:
        return sum(total.accounts for total in self.summary.at_risk)

    @property
    def red_accounts(self) -> int:
        return self.summary.bands.counts.get(RED, 0)


def portfolio_figures(
    session: Session, scope: AccountScope, *, today: date, scoring_date: date | None
) -> PortfolioFigures:
    """The glossary's ARR at risk (shown band red or stage at-risk) and band counts.

    ``today`` decides which band overrides are in force; ``scoring_date`` is the run
    read (callers without one of their own pass :func:`scoring_date_for`).
    """
    summary = portfolio_summary(
        session=session, scope=scope, scoring_date=scoring_date, today=today
    )
    return PortfolioFigures(scoring_date=scoring_date, summary=summary)


def money_pairs(totals: list[MoneyTotal]) -> list[tuple[str, float]]:
    """(currency, amount) pairs, largest first: the digest's stored money shape."""
    return [(total.currency, float(total.amount)) for total in totals]


def renewals_due(
    session: Session,
    scope: AccountScope,
    *,
    today: date,
    scoring_date: date | None,
    days: int = RENEWALS_DUE_DAYS,
    page_size: int = 5,
) -> RenewalsInWindow:
    """Active contracts ending in [today, today + ``days``], soonest first, with totals."""
    return renewals_between(
        session=session,
        scope=scope,
        start=today,
        end=today + timedelta(days=days),
        scoring_date=scoring_date,
        page_size=page_size,
    )


def nps_since(today: date) -> datetime:
    """The start of the glossary's NPS window (midnight UTC, ``NPS_WINDOW_DAYS`` ago)."""
    return datetime.combine(today - timedelta(days=NPS_WINDOW_DAYS), time.min, tzinfo=UTC)


def portfolio_nps_reading(session: Session, scope: AccountScope, *, today: date) -> NpsSummary:
    """NPS responses of the window from the scope's active accounts: average, detractors."""
    return portfolio_nps(session=session, scope=scope, since=nps_since(today))
