"""Money: contracts, invoices and opportunities.

Invoices follow each contract's billing cadence (monthly by card for most small
customers, annually by transfer for most large ones); the chance that a payment
fails or runs overdue rises with the account's risk at issue time, and old
hiccups at healthy customers get paid late rather than lingering forever.
Opportunities mirror the contracts (won renewals, lost ones at churn, open ones
for renewals due within six months) plus expansions where usage outgrows seats.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from dateutil.relativedelta import relativedelta

from bot.sources.demo.activity import BlockActivity
from bot.sources.demo.rows import Clock, RowSink, flag, money
from bot.sources.demo.world import Profile, World

NET_DAYS = 30
RENEWAL_LOOKAHEAD_DAYS = 180


def write_contracts(world: World, clock: Clock, next_id: Callable[[], str], sink: RowSink) -> None:
    for i in range(world.size):
        for plan in world.contracts[i]:
            sink.add(
                "contracts",
                [
                    next_id(),
                    world.account_ids[i],
                    clock.day(plan.start_day),
                    clock.day(plan.end_day),
                    money(plan.arr),
                    plan.status,
                    flag(plan.auto_renew),
                ],
            )


def _billing_days(world: World, clock: Clock, account: int) -> list[tuple[int, float, bool]]:
    """(issue day, amount, monthly) for every invoice issued inside the window."""
    last = world.last_day
    churn = int(world.churn_day[account])
    monthly = bool(world.monthly_billing[account])
    issued = []
    for plan in world.contracts[account]:
        if plan.status == "pending" or plan.end_day < 0:
            continue
        start = clock.date_of(plan.start_day)
        step = 1 if monthly else 12
        amount = plan.arr / 12.0 if monthly else plan.arr
        k = 0
        while True:
            day = clock.day_of(start + relativedelta(months=k * step))
            if day > plan.end_day or day > last or day >= churn:
                break
            if day >= 0:
                issued.append((day, round(amount, 2), monthly))
            k += 1
    return issued


def write_invoices(
    world: World,
    act: BlockActivity,
    rnd: random.Random,
    clock: Clock,
    next_id: Callable[[], str],
    sink: RowSink,
) -> None:
    last = world.last_day
    for row, account in enumerate(act.index.tolist()):
        invoices = _billing_days(world, clock, account)
        # The story's failed payment is the newest invoice issued before the end date, so a
        # score run on the end date (which reads only earlier days) sees it.
        visible = [position for position, (day, _, _) in enumerate(invoices) if day < last]
        forced_position = visible[-1] if visible and world.story[account] == "dropping" else None
        force_failed = forced_position is not None
        for position, (day, amount, monthly) in enumerate(invoices):
            risk = float(act.risk[row, day])
            due = day + NET_DAYS
            status, paid = "paid", None
            trouble = rnd.random() < 0.01 + 0.6 * risk**2
            if position == forced_position:
                trouble, risk = True, 1.0
            if rnd.random() < 0.01 and not force_failed:
                status = "void"
            elif trouble and risk < 0.5 and day < last - 45:
                paid = due + rnd.randint(5, 30)  # a hiccup, settled late
            elif trouble:
                status = "failed" if monthly else ("overdue" if due < last else "open")
            else:
                delay = rnd.randint(0, 3) if monthly else rnd.randint(5, 28) + int(25 * risk)
                paid = day + delay
            if paid is not None and paid > last:
                status, paid = ("overdue" if due < last else "open"), None
            sink.add(
                "invoices",
                [
                    next_id(),
                    world.account_ids[account],
                    clock.day(day),
                    money(amount),
                    clock.day(due),
                    clock.day(paid) if paid is not None else None,
                    status,
                ],
            )


def _open_stage(days_left: int, profile: int) -> str:
    if profile == Profile.AT_RISK and days_left < 120:
        return "At Risk"
    if days_left > 120:
        return "Discovery"
    if days_left > 60:
        return "Proposal"
    if days_left > 30:
        return "Negotiation"
    return "Commit"


def write_opportunities(
    world: World,
    act: BlockActivity,
    rnd: random.Random,
    clock: Clock,
    next_id: Callable[[], str],
    sink: RowSink,
) -> None:
    last = world.last_day
    for row, account in enumerate(act.index.tolist()):
        account_id = world.account_ids[account]
        plans = world.contracts[account]
        profile = int(world.profile[account])

        def add(
            kind: str,
            amount: float,
            stage: str,
            close_day: int,
            won: bool | None,
            _account_id: str = account_id,
        ) -> None:
            sink.add(
                "opportunities",
                [
                    next_id(),
                    _account_id,
                    kind,
                    money(round(amount, -2)),
                    stage,
                    clock.day(close_day),
                    None if won is None else flag(won),
                ],
            )

        if world.parent[account] >= 0:
            add("new", plans[0].arr, "Closed Won", plans[0].start_day - rnd.randint(5, 40), True)
        for position, plan in enumerate(plans):
            if plan.status == "renewed" and plan.end_day >= 0:
                renewal = plans[position + 1]
                add("renewal", renewal.arr, "Closed Won", plan.end_day - rnd.randint(3, 30), True)
            elif plan.status == "churned":
                add("renewal", plan.arr, "Closed Lost", plan.end_day - rnd.randint(0, 20), False)
            elif plan.status == "active":
                days_left = plan.end_day - last
                pending = any(p.status == "pending" for p in plans)
                if pending:
                    add("renewal", plans[-1].arr, "Closed Won", last - rnd.randint(1, 20), True)
                elif days_left <= RENEWAL_LOOKAHEAD_DAYS:
                    add("renewal", plan.arr, _open_stage(days_left, profile), plan.end_day, None)
        if not world.is_active(account):
            continue
        utilisation = float(act.utilisation[row, last])
        growing = world.growth[account] > 0.15 or utilisation > 0.85
        if world.story[account] == "growing" or (growing and rnd.random() < 0.7):
            add(
                "expansion",
                world.arr[account] * rnd.uniform(0.15, 0.45),
                rnd.choice(("Qualification", "Proposal", "Negotiation")),
                last + rnd.randint(20, 120),
                None,
            )
        if profile == Profile.HEALTHY and rnd.random() < 0.25:
            close = last - rnd.randint(20, max(21, min(300, last)))
            won = rnd.random() < 0.7
            add(
                "expansion",
                world.arr[account] * rnd.uniform(0.1, 0.3),
                "Closed Won" if won else "Closed Lost",
                max(close, 0),
                won,
            )
