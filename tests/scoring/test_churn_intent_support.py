"""Churn intent feeds the support component: counted by the feature SQL, scored by health."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pandas as pd

from bot.db.models import TicketChurnIntent
from bot.db.scoring_features import account_aggregates
from bot.db.session import make_session_factory, unit_of_work
from scoring.config import load_health_config
from scoring.portfolio import score_accounts
from tests.scoring.store import AS_OF, seed_small_portfolio


def _support(frame: pd.DataFrame) -> pd.Series:
    result = score_accounts(frame.reset_index(), load_health_config())
    components = result.components.set_index("account_id")
    return components["support"]


def test_churn_intent_tickets_lower_the_support_component(engine):
    from bot.db.models import Ticket

    factory = make_session_factory(engine)
    with unit_of_work(factory) as session:
        seed_small_portfolio(session)
    with unit_of_work(factory) as session:
        before = account_aggregates(session=session, as_of=AS_OF).set_index("account_id")
    assert before["churn_intent_tickets_90d"].isna().all()  # nothing assessed yet: unknown

    with unit_of_work(factory) as session:
        tickets = session.query(Ticket).filter(Ticket.account_id == "SLIDING").all()
        for index, ticket in enumerate(tickets):
            session.add(
                TicketChurnIntent(
                    ticket_id=ticket.ticket_id,
                    account_id="SLIDING",
                    content_hash=ticket.ticket_id,
                    detected=index == 0,
                    score=0.97 if index == 0 else 0.1,
                    reason="non_renewal" if index == 0 else None,
                    model="churn-test",
                )
            )
            ticket.created_at = datetime.combine(AS_OF - timedelta(days=5), time(9))
    with unit_of_work(factory) as session:
        after = account_aggregates(session=session, as_of=AS_OF).set_index("account_id")
    assert after.loc["SLIDING", "churn_intent_tickets_90d"] == 1
    assert pd.isna(after.loc["HEALTHY", "churn_intent_tickets_90d"])

    cleared = after.copy()
    cleared.loc["SLIDING", "churn_intent_tickets_90d"] = 0
    assert _support(after).loc["SLIDING"] < _support(cleared).loc["SLIDING"]
