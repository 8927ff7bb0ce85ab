"""A tiny book of business for transport tests: enough to answer, paginate and disambiguate.

Dana (``U111``) owns Acme Corp, Umbrella North and Umbrella South (so "umbrella" is
ambiguous) and eleven more accounts (so "my accounts" has a second page); Max
(``U222``) owns Globex.
``U999`` is nobody csbot knows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from bot.db.session import unit_of_work
from bot.services import Services
from tests.support import factories

DANA = "U111"
MAX = "U222"
STRANGER = "U999"


@dataclass(frozen=True)
class Book:
    dana_accounts: tuple[str, ...]
    acme_corp: str = "acc-acme-corp"
    umbrella_north: str = "acc-umbrella-north"
    umbrella_south: str = "acc-umbrella-south"
    globex: str = "acc-globex"


def seed_book(services: Services, *, today: date | None = None) -> Book:
    today = today or date.today()
    extra = [f"acc-initech-{n:02d}" for n in range(1, 12)]
    with unit_of_work(services.session_factory) as session:
        factories.add_csm(session, "csm-dana", name="Dana Scully", slack_user_id=DANA)
        factories.add_csm(session, "csm-max", name="Max Power", slack_user_id=MAX)
        rows = [
            ("acc-acme-corp", "Acme Corp", "csm-dana", 120_000),
            ("acc-umbrella-north", "Umbrella North", "csm-dana", 45_000),
            ("acc-umbrella-south", "Umbrella South", "csm-dana", 55_000),
            ("acc-globex", "Globex", "csm-max", 300_000),
        ] + [(account_id, f"Initech {account_id[-2:]}", "csm-dana", 10_000) for account_id in extra]
        for account_id, name, csm_id, arr in rows:
            factories.add_account(
                session, account_id, name=name, csm_id=csm_id, arr=arr, segment="mid"
            )
            factories.add_contract(
                session,
                f"ctr-{account_id}",
                account_id,
                start=today - timedelta(days=300),
                end=today + timedelta(days=40),
                arr=arr,
            )
    return Book(dana_accounts=("acc-acme-corp", "acc-umbrella-north", "acc-umbrella-south", *extra))
