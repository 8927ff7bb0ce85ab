"""Generates a demo contract folder: plan the world, then stream it out block by block.

The world plan (accounts, contracts, hidden risk curves) is small and made once;
the daily streams are produced for blocks of accounts so that memory stays flat
and 20,000 accounts × 180 days write in seconds. Every random stream is seeded
from the config (and the block number), so a config always yields the same bytes.
"""

from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from bot.sources.demo.activity import BlockActivity, block_activity, calendar_factors
from bot.sources.demo.commercial import write_contracts, write_invoices, write_opportunities
from bot.sources.demo.engagement import write_interactions
from bot.sources.demo.names import CSM_ROSTER
from bot.sources.demo.people import ContactPlan, plan_contacts
from bot.sources.demo.rows import COLUMNS, Clock, Ids, RowSink, flag, money
from bot.sources.demo.support import draw_tickets, write_nps, write_tickets
from bot.sources.demo.texts import TextComposer
from bot.sources.demo.world import NO_DAY, SEGMENTS, DemoConfig, World, plan_world
from bot.sources.demo.writer import FolderWriter

logger = logging.getLogger(__name__)

GENERATOR_VERSION = "1"
CELLS_PER_BLOCK = 300_000


@dataclass(frozen=True)
class DemoSummary:
    folder: Path
    config: DemoConfig
    rows: dict[str, int]
    seconds: float

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


def generate_demo(
    config: DemoConfig, out: Path, *, cells_per_block: int = CELLS_PER_BLOCK
) -> DemoSummary:
    """Write the demo world for ``config`` as a contract folder at ``out`` (replaced whole).

    ``cells_per_block`` (accounts × days held in memory at once) bounds memory; the
    files depend on it, so keep the default for reproducible output.
    """
    started = time.perf_counter()
    world = plan_world(config)
    clock = Clock(config.start_date, config.days)
    weekday, day_factor = calendar_factors(config.start_date, config.days)
    ids = {
        "contact": Ids("CON", 6),
        "ticket": Ids("TKT", 7),
        "nps": Ids("NPS", 7),
        "interaction": Ids("INT", 7),
        "invoice": Ids("INV", 7),
        "opportunity": Ids("OPP", 6),
    }
    account_ids = np.array(world.account_ids, dtype=object)
    date_text = np.array([clock.day(d) for d in range(config.days)], dtype=object)
    with FolderWriter(out) as folder:
        _write_csms(folder)
        _write_accounts(world, clock, folder)
        write_contracts(world, clock, Ids("CTR", 6), folder)
        block = max(1, cells_per_block // config.days)
        for number, first in enumerate(range(0, world.size, block)):
            index = np.arange(first, min(world.size, first + block))
            rng = np.random.default_rng([config.seed, 2, number])
            rnd = random.Random(config.seed * 1_000_003 + number)
            composer = TextComposer(rnd)
            act = block_activity(world, index, rng, day_factor)
            folder.add_frame("usage_daily", _usage_frame(act, account_ids, date_text))
            contacts = [plan_contacts(world, int(i), rnd, ids["contact"]) for i in index]
            draws = draw_tickets(world, act, rng, weekday)
            write_tickets(
                world, act, draws, contacts, composer, rnd, rng, clock, ids["ticket"], folder
            )
            write_nps(world, act, contacts, composer, rnd, rng, clock, ids["nps"], folder)
            write_interactions(
                world, act, contacts, composer, rnd, rng, weekday, clock, ids["interaction"], folder
            )
            _write_contacts(world, index, contacts, folder)
            write_invoices(world, act, rnd, clock, ids["invoice"], folder)
            write_opportunities(world, act, rnd, clock, ids["opportunity"], folder)
        folder.commit(
            {
                "generator_version": GENERATOR_VERSION,
                "accounts": config.accounts,
                "days": config.days,
                "seed": config.seed,
                "dense_usage": config.dense_usage,
                "start_date": config.start_date.isoformat(),
                "end_date": config.end_date.isoformat(),
            }
        )
    seconds = time.perf_counter() - started
    logger.info(
        "demo folder written",
        extra={"folder": str(out), "rows": sum(folder.rows.values()), "seconds": round(seconds, 2)},
    )
    return DemoSummary(folder=Path(out), config=config, rows=dict(folder.rows), seconds=seconds)


def _write_csms(sink: RowSink) -> None:
    for csm in CSM_ROSTER:
        sink.add(
            "csms",
            [
                csm.csm_id,
                csm.name,
                csm.email,
                csm.slack_user_id,
                csm.role,
                csm.manager_id,
                csm.team,
            ],
        )


def _write_accounts(world: World, clock: Clock, sink: RowSink) -> None:
    for i in range(world.size):
        churn = int(world.churn_day[i])
        parent = int(world.parent[i])
        sink.add(
            "accounts",
            [
                world.account_ids[i],
                world.names[i],
                world.account_ids[parent] if parent >= 0 else None,
                world.domains[i],
                world.industries[i],
                SEGMENTS[int(world.segment[i])],
                money(float(world.arr[i])),
                "USD",
                int(world.employees[i]),
                int(world.seats[i]),
                world.csm_ids[i],
                clock.day(int(world.since_day[i])),
                "active" if churn >= NO_DAY else "churned",
                clock.day(churn) if churn < NO_DAY else None,
                world.churn_reason[i],
            ],
        )


def _write_contacts(
    world: World, index: np.ndarray, contacts: list[list[ContactPlan]], sink: RowSink
) -> None:
    last = world.last_day
    for account, people in zip(index.tolist(), contacts, strict=True):
        for person in people:
            if person.active_from > last:
                continue  # joins after the end date: not known yet
            sink.add(
                "contacts",
                [
                    person.contact_id,
                    world.account_ids[account],
                    person.name,
                    person.email,
                    person.title,
                    flag(person.is_champion),
                    flag(person.is_decision_maker),
                    flag(person.active_until > last),
                    person.last_contacted,
                ],
            )


def _usage_frame(
    act: BlockActivity, account_ids: np.ndarray, date_text: np.ndarray
) -> pd.DataFrame:
    rows, days = np.nonzero(act.usage_rows)
    frame = pd.DataFrame(
        {
            "account_id": account_ids[act.index[rows]],
            "date": date_text[days],
            "active_users": act.active_users[rows, days],
            "logins": act.logins[rows, days],
            "events": act.events[rows, days],
            "features_used": act.features_used[rows, days],
            "session_minutes": act.session_minutes[rows, days],
        }
    )
    return frame[list(COLUMNS["usage_daily"])]
