"""A small, deliberately awkward customer world for the question-answering tests.

Awkward on purpose: two "Globex" accounts in different books (ambiguous for
some viewers, unique for others), a name containing a question word ("Umbrella
Health"), a churned account, a euro account, an overdue renewal, an active and
an expired band override, an inactive champion, accounts with no usage or no
health at all, and one CSM with enough accounts to need paging. Health
snapshots are inserted in the agreed ``health_scores`` JSON shape.

Expected values in tests are read back from this store, never retyped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from bot.db.models import HealthOverride
from tests.support import factories

TODAY = date(2025, 6, 16)  # a Monday
NOW = datetime(2025, 6, 16, 10, 0, tzinfo=UTC)
HISTORY_DAYS = 35
NUMBERED_ACCOUNTS = 12

ADMIN = "UADMIN01"
MANAGER = "UMGR0001"
ALICE = "UALICE01"
BOB = "UBOB0001"
CAROL = "UCAROL01"
STRANGER = "UNKNOWN9"

WEIGHTS = {"usage": 0.3, "relationship": 0.25, "support": 0.2, "financial": 0.15, "survey": 0.1}


@dataclass(frozen=True)
class Plan:
    """One account's shape: owner, money, and its health path over the history."""

    account_id: str
    name: str
    csm_id: str | None
    arr: int
    segment: str
    start_score: float
    end_score: float
    renewal_in_days: int | None
    currency: str = "USD"
    stage: str = "adoption"
    status: str = "active"
    seats: int | None = 100
    scored: bool = True
    flip_days_ago: int | None = None  # the path turns sharply this many days ago


PLANS = [
    Plan(
        "acc_acme",
        "Acme Corp Inc",
        "csm_alice",
        120_000,
        "enterprise",
        74,
        36,
        45,
        stage="renewal",
        seats=200,
        flip_days_ago=3,
    ),
    Plan("acc_initech", "Initech Systems", "csm_alice", 45_000, "mid-market", 64, 63, 80),
    Plan("acc_stark", "Stark Industries", "csm_alice", 60_000, "enterprise", 31, 29, -5),
    Plan(
        "acc_umbrella",
        "Umbrella Health Ltd",
        "csm_bob",
        80_000,
        "mid-market",
        52,
        74,
        20,
        flip_days_ago=2,
    ),
    Plan("acc_globex_corp", "Globex Corporation", "csm_bob", 50_000, "mid-market", 55, 50, 100),
    Plan(
        "acc_soylent",
        "Soylent Green Foods",
        "csm_bob",
        15_000,
        "smb",
        40,
        20,
        None,
        status="churned",
    ),
    Plan("acc_globex_inc", "Globex Inc", "csm_carol", 70_000, "mid-market", 77, 78, 150),
    Plan(
        "acc_hooli",
        "Hooli",
        "csm_carol",
        300_000,
        "enterprise",
        86,
        84,
        200,
        currency="EUR",
        stage="at-risk",
    ),
    Plan("acc_wayne", "Wayne Enterprises", None, 90_000, "enterprise", 70, 71, 60),
    Plan(
        "acc_newco",
        "Newco Analytics",
        "csm_alice",
        10_000,
        "smb",
        0,
        0,
        300,
        scored=False,
        stage="onboarding",
    ),
] + [
    Plan(
        f"acc_nw_{n:02d}",
        f"Northwind {n:02d} Traders",
        "csm_carol",
        5_000 + 1_000 * n,
        "smb",
        70 + n,
        71 + n,
        30 + 20 * n,
    )
    for n in range(1, NUMBERED_ACCOUNTS + 1)
]


def _band(value: float) -> str:
    return "red" if value < 40 else "yellow" if value < 70 else "green"


def _score_on(plan: Plan, days_ago: int) -> float:
    """Linear from start to end, or flat then a sharp turn ``flip_days_ago`` days ago."""
    if plan.flip_days_ago is not None:
        if days_ago > plan.flip_days_ago:
            return plan.start_score
        return plan.end_score
    fraction = 1 - days_ago / (HISTORY_DAYS - 1)
    return round(plan.start_score + (plan.end_score - plan.start_score) * fraction, 1)


def _components(value: float, days_ago: int, plan: Plan) -> dict[str, object]:
    support = None if plan.account_id == "acc_initech" else round(value - 4, 1)
    usage_score = round(min(value + (10 if days_ago > 7 else -5), 100), 1)
    return {
        "usage": {
            "score": usage_score,
            "weight": WEIGHTS["usage"],
            "measures": {"seat_utilisation": round(value / 120, 2)},
        },
        "relationship": {
            "score": round(value + 3, 1),
            "weight": WEIGHTS["relationship"],
            "measures": {"champion_active": 1.0},
        },
        "support": {"score": support, "weight": WEIGHTS["support"], "measures": {}},
        "financial": {"score": 80.0, "weight": WEIGHTS["financial"], "measures": {}},
        "survey": {"score": round(value, 1), "weight": WEIGHTS["survey"], "measures": {}},
    }


def _drivers(plan: Plan, value: float, days_ago: int) -> list[dict[str, object]]:
    if plan.account_id == "acc_acme" and days_ago <= (plan.flip_days_ago or 0):
        return [
            {
                "text": "active users down 42% vs the prior 30 days",
                "component": "usage",
                "measure": "active_users_trend",
                "direction": "negative",
                "value": -0.42,
            },
            {
                "text": "1 urgent ticket open for 6 days",
                "component": "support",
                "measure": "open_urgent_tickets",
                "direction": "negative",
                "value": 1,
            },
            {
                "text": "latest NPS 4 (detractor)",
                "component": "survey",
                "measure": "latest_nps",
                "direction": "negative",
                "value": 4,
            },
        ]
    direction = "positive" if value >= 70 else "negative"
    return [
        {
            "text": f"seat utilisation {round(value / 1.2)}%",
            "component": "usage",
            "measure": "seat_utilisation",
            "direction": direction,
            "value": round(value / 120, 2),
        },
    ]


def _add_health(session: Session, plan: Plan) -> None:
    for days_ago in range(HISTORY_DAYS):
        value = _score_on(plan, days_ago)
        factories.add_health(
            session,
            plan.account_id,
            TODAY - timedelta(days=days_ago),
            score=value,
            band=_band(value),
            components=_components(value, days_ago, plan),
            drivers=_drivers(plan, value, days_ago),
            missing_components=["support"] if plan.account_id == "acc_initech" else [],
            churn_risk=round(max(0.0, (70 - value) / 100), 3),
            expansion=round(value * 0.8, 1),
            stage=plan.stage,
            config_version="test-1",
            computed_at=NOW,
        )


def _at(days_ago: float, hour: int = 9) -> datetime:
    return datetime.combine(TODAY - timedelta(days=days_ago), datetime.min.time(), UTC).replace(
        hour=hour
    )


def build_world(engine: Engine) -> None:
    """Insert the whole world in one transaction."""
    with Session(engine) as session:
        factories.add_csm(session, "csm_admin", name="Ada Admin", slack_user_id=ADMIN, role="admin")
        factories.add_csm(
            session,
            "csm_mgr",
            name="Mona Manager",
            slack_user_id=MANAGER,
            role="manager",
            team="East",
        )
        factories.add_csm(
            session,
            "csm_alice",
            name="Alice Able",
            slack_user_id=ALICE,
            manager_id="csm_mgr",
            team="East",
        )
        factories.add_csm(
            session,
            "csm_bob",
            name="Bob Baker",
            slack_user_id=BOB,
            manager_id="csm_mgr",
            team="East",
        )
        factories.add_csm(session, "csm_carol", name="Carol Cole", slack_user_id=CAROL, team="West")
        factories.add_csm(session, "csm_dan", name="Dan Nobody")
        session.flush()
        for plan in PLANS:
            factories.add_account(
                session,
                plan.account_id,
                name=plan.name,
                csm_id=plan.csm_id,
                arr=plan.arr,
                currency=plan.currency,
                segment=plan.segment,
                licensed_seats=plan.seats,
                status=plan.status,
                customer_since=date(2022, 1, 10),
                churned_at=TODAY - timedelta(days=20) if plan.status == "churned" else None,
            )
        session.flush()
        for plan in PLANS:
            if plan.renewal_in_days is not None:
                factories.add_contract(
                    session,
                    f"ct_{plan.account_id}",
                    plan.account_id,
                    start=TODAY + timedelta(days=plan.renewal_in_days - 365),
                    end=TODAY + timedelta(days=plan.renewal_in_days),
                    arr=plan.arr,
                    auto_renew=plan.account_id == "acc_initech",
                )
            if plan.scored and plan.status == "active":
                _add_health(session, plan)
        factories.add_contract(
            session,
            "ct_acme_2023",
            "acc_acme",
            start=date(2023, 7, 31),
            end=TODAY + timedelta(days=45 - 365),
            arr=100_000,
            status="renewed",
            auto_renew=False,
        )
        _add_activity(session)
        session.commit()


def _add_activity(session: Session) -> None:
    # Usage: Acme falls off in the last 30 days; Initech is flat; others have none.
    for days_ago in range(60):
        day = TODAY - timedelta(days=days_ago + 1)
        recent = days_ago < 30
        factories.add_usage(
            session,
            "acc_acme",
            day,
            active_users=70 if recent else 120,
            logins=140 if recent else 260,
            events=2_000 if recent else 3_500,
            features_used=6 if recent else 9,
            session_minutes=900.0 if recent else 1500.0,
        )
        factories.add_usage(
            session,
            "acc_initech",
            day,
            active_users=40,
            logins=80,
            events=900,
            features_used=5,
            session_minutes=400.0,
        )
    factories.add_contact(
        session,
        "c_jane",
        "acc_acme",
        name="Jane Champion",
        email="jane@acme.example",
        title="VP Operations",
        is_champion=True,
        is_decision_maker=False,
        is_active=True,
        last_contacted_at=_at(10),
    )
    factories.add_contact(
        session,
        "c_dave",
        "acc_acme",
        name="Dave Decider",
        email="dave@acme.example",
        title="CFO",
        is_champion=False,
        is_decision_maker=True,
        is_active=True,
        last_contacted_at=_at(40),
    )
    factories.add_contact(
        session,
        "c_old",
        "acc_acme",
        name="Olga Former",
        title="Director",
        is_champion=True,
        is_active=False,
    )
    factories.add_contact(
        session,
        "c_ian",
        "acc_initech",
        name="Ian Initech",
        title="IT Manager",
        is_champion=False,
        is_active=True,
    )
    factories.add_contact(
        session,
        "c_uma",
        "acc_umbrella",
        name="Uma Brella",
        title="COO",
        is_champion=True,
        is_active=True,
        last_contacted_at=_at(2),
    )
    session.flush()
    factories.add_ticket(
        session,
        "T-100",
        "acc_acme",
        created_at=_at(6),
        status="open",
        priority="urgent",
        escalated=True,
        subject="Exports failing since upgrade",
    )
    factories.add_ticket(
        session,
        "T-101",
        "acc_acme",
        created_at=_at(4),
        status="pending",
        priority="normal",
        subject="SSO <login> loop & timeouts",
    )
    factories.add_ticket(
        session,
        "T-102",
        "acc_acme",
        created_at=_at(2),
        status="open",
        priority="high",
        subject="Dashboard slow",
    )
    factories.add_ticket(
        session,
        "T-090",
        "acc_acme",
        created_at=_at(20),
        status="solved",
        resolved_at=_at(18),
        priority="low",
        subject="Invoice address",
        csat=5,
    )
    factories.add_ticket(
        session,
        "T-050",
        "acc_acme",
        created_at=_at(70),
        status="closed",
        resolved_at=_at(69),
        priority="normal",
        subject="Old question",
    )
    factories.add_ticket(
        session,
        "T-200",
        "acc_umbrella",
        created_at=_at(1),
        status="open",
        priority="normal",
        subject="Add more seats",
    )
    factories.add_ticket(
        session,
        "T-300",
        "acc_globex_inc",
        created_at=_at(3),
        status="open",
        priority="urgent",
        subject="Outage in EU region",
    )
    factories.add_interaction(
        session,
        "i_1",
        "acc_acme",
        occurred_at=_at(3),
        contact_id="c_jane",
        csm_id="csm_alice",
        summary="QBR prep: usage concerns",
    )
    factories.add_interaction(
        session,
        "i_0",
        "acc_acme",
        occurred_at=_at(30),
        type="email",
        contact_id="c_dave",
        csm_id="csm_alice",
    )
    factories.add_nps(session, "n_1", "acc_acme", responded_at=_at(200), score=9)
    factories.add_nps(
        session, "n_2", "acc_acme", responded_at=_at(100), score=6, contact_id="c_dave"
    )
    factories.add_nps(
        session,
        "n_3",
        "acc_acme",
        responded_at=_at(12),
        score=4,
        contact_id="c_jane",
        comment="Exports keep breaking; we need a fix.",
    )
    factories.add_nps(
        session,
        "n_4",
        "acc_umbrella",
        responded_at=_at(5),
        score=10,
        contact_id="c_uma",
        comment="Great team",
    )
    session.add_all(
        [
            HealthOverride(
                account_id="acc_initech",
                band="red",
                reason="Exec sponsor left",
                until=TODAY + timedelta(days=10),
                created_by="Alice Able",
                created_at=_at(1),
            ),
            HealthOverride(
                account_id="acc_stark",
                band="green",
                reason="old call",
                until=TODAY - timedelta(days=1),
                created_by="Alice Able",
                created_at=_at(30),
            ),
        ]
    )
    factories.add_cta(
        session,
        "acme:risk:2025-06",
        "acc_acme",
        rule="health_red",
        type="risk",
        priority="high",
        playbook_id="at-risk-intervention",
        reason="Health turned red (74 → 36)",
        owner_csm_id="csm_alice",
        due_date=TODAY + timedelta(days=2),
        status="open",
        created_at=_at(2),
    )
    factories.add_cta(
        session,
        "acme:renewal:60",
        "acc_acme",
        rule="renewal_60",
        type="renewal",
        priority="high",
        playbook_id="renewal",
        reason="Renewal in 45 days",
        owner_csm_id="csm_alice",
        due_date=TODAY + timedelta(days=7),
        status="acknowledged",
        created_at=_at(5),
    )
    factories.add_cta(
        session,
        "acme:nps:old",
        "acc_acme",
        rule="nps_detractor",
        type="risk",
        priority="high",
        playbook_id="nps-detractor",
        reason="NPS 6",
        owner_csm_id="csm_alice",
        status="completed",
        created_at=_at(90),
    )
    factories.add_cta(
        session,
        "hooli:exp",
        "acc_hooli",
        rule="expansion",
        type="expansion",
        priority="medium",
        playbook_id="expansion",
        reason="Seat utilisation 95%",
        owner_csm_id="csm_carol",
        status="open",
        created_at=_at(1),
    )
    loaded = NOW - timedelta(hours=1)
    for source, as_of in {
        "csms": NOW - timedelta(hours=1),
        "accounts": NOW - timedelta(hours=1),
        "contracts": NOW - timedelta(hours=1),
        "usage_daily": _at(1, hour=0),
        "tickets": NOW - timedelta(hours=3),
        "contacts": NOW - timedelta(hours=1),
        "interactions": NOW - timedelta(days=4),
        "nps": NOW - timedelta(hours=5),
    }.items():
        factories.add_source_load(session, source, last_loaded_at=loaded, data_as_of=as_of)
