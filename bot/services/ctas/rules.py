"""The CTA rules: one function per PLAYBOOKS.md trigger, over pre-gathered signals.

Rules are pure (signals in, candidates out) so each can be tested on a handful of
hand-built accounts and the whole set runs over 20,000 accounts without a query per
account. Thresholds come from a versioned YAML file (``rules.yaml`` beside this
module, or ``CSBOT_CTA_RULES``, read by ``rules_config``), never from constants in
code; the context and candidate types the rules share are in ``rule_types``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from bot.db.cta_signals import AccountSignals
from bot.money import format_money
from bot.services.ctas.rule_types import PRIORITY_ORDER, CtaCandidate, RuleContext
from bot.services.ctas.rules_config import RuleSettings
from bot.slack.formatting import seats_used_text

RuleFunction = Callable[[AccountSignals, RuleSettings, RuleContext], Iterator[CtaCandidate]]


def _candidate(
    account: AccountSignals,
    rule_name: str,
    rule: RuleSettings,
    context: RuleContext,
    *,
    reason: str,
    period: str,
    priority: str | None = None,
    due_date: date | None = None,
    details: dict[str, Any] | None = None,
) -> CtaCandidate:
    return CtaCandidate(
        account_id=account.account_id,
        account_name=account.name,
        rule=rule_name,
        type=rule.type,
        priority=priority or rule.priority,
        playbook_id=rule.playbook,
        reason=reason,
        period=period,
        owner_csm_id=account.csm_id,
        due_date=due_date or context.today + timedelta(days=rule.due_days),
        details={"rules_version": context.config.version, **(details or {})},
    )


def _money(value: Decimal | float | None, currency: str) -> str:
    """The shared formatter (``bot.money``), in the account's currency."""
    if value is None:
        return "n/a"
    return format_money(value, currency)


def health_risk(
    account: AccountSignals, rule: RuleSettings, context: RuleContext
) -> Iterator[CtaCandidate]:
    """Health turns red, or drops ``drop_points``+ in ``drop_window_days``."""
    health = account.health
    if health is None:
        return
    drop_points = rule.number("drop_points", 15)
    window = int(rule.number("drop_window_days", 30))
    turned_red = health.band == "red" and health.previous_band not in (None, "red")
    first_seen_red = health.band == "red" and health.previous_band is None
    drop = health.score_window_ago - health.score if health.score_window_ago is not None else None
    reasons = []
    if turned_red:
        reasons.append(
            f"health turned red: {health.score:.0f} on {health.as_of.isoformat()} "
            f"(was {health.previous_band})"
        )
    elif first_seen_red:
        reasons.append(f"health is red: {health.score:.0f} on {health.as_of.isoformat()}")
    if drop is not None and drop >= drop_points:
        reasons.append(
            f"health dropped {drop:.0f} points in {window} days "
            f"({health.score_window_ago:.0f} → {health.score:.0f})"
        )
    if not reasons:
        return
    text = "; ".join(reasons)
    yield _candidate(
        account,
        "health_risk",
        rule,
        context,
        reason=text[0].upper() + text[1:],
        period=context.today.isoformat(),
        details={
            "score": round(health.score, 1),
            "band": health.band,
            "previous_band": health.previous_band,
            "score_window_ago": health.score_window_ago,
            "drop": round(drop, 1) if drop is not None else None,
        },
    )


def usage_drop(
    account: AccountSignals, rule: RuleSettings, context: RuleContext
) -> Iterator[CtaCandidate]:
    """Usage down more than ``drop_ratio`` month over month."""
    usage = account.usage
    if usage is None or usage.prior_total < rule.number("min_prior_total", 10):
        return
    change = (usage.recent_total - usage.prior_total) / usage.prior_total
    if change >= -rule.number("drop_ratio", 0.5):
        return
    window = int(rule.number("window_days", 30))
    measure = str(rule.extra("measure", "events")).replace("_", " ")
    yield _candidate(
        account,
        "usage_drop",
        rule,
        context,
        reason=(
            f"Usage ({measure}) down {abs(change):.0%} month over month: "
            f"{usage.recent_total:,.0f} in the last {window} days vs "
            f"{usage.prior_total:,.0f} in the {window} before"
        ),
        period=context.today.strftime("%Y-%m"),
        details={
            "recent": usage.recent_total,
            "prior": usage.prior_total,
            "change": round(change, 3),
        },
    )


def no_logins(
    account: AccountSignals, rule: RuleSettings, context: RuleContext
) -> Iterator[CtaCandidate]:
    """No logins for ``days`` days (only for accounts whose usage we receive at all)."""
    usage = account.usage
    if usage is None or usage.days_with_data == 0:
        return
    threshold = int(rule.number("days", 21))
    if usage.last_login is None:
        lookback = context.windows.login_lookback_days
        reason = f"No logins in the last {lookback} days"
        days = lookback
        period = "none-in-window"
    else:
        days = (context.today - usage.last_login).days
        if days < threshold:
            return
        reason = f"No logins for {days} days (last login {usage.last_login.isoformat()})"
        period = f"since-{usage.last_login.isoformat()}"
    yield _candidate(
        account,
        "no_logins",
        rule,
        context,
        reason=reason,
        period=period,
        details={"days_without_login": days, "threshold": threshold},
    )


def nps_detractor(
    account: AccountSignals, rule: RuleSettings, context: RuleContext
) -> Iterator[CtaCandidate]:
    """An NPS response of 0–``max_score`` within the lookback window."""
    max_score = int(rule.number("max_score", 6))
    since = context.now - timedelta(days=rule.number("lookback_days", 14))
    for response in account.nps:
        if response["score"] > max_score or response["responded_at"] < since:
            continue
        comment = (response.get("comment") or "").strip()
        quoted = f': "{comment[:160]}"' if comment else ""
        yield _candidate(
            account,
            "nps_detractor",
            rule,
            context,
            reason=(
                f"NPS {response['score']} on {response['responded_at'].date().isoformat()}{quoted}"
            ),
            period=str(response["response_id"]),
            details={"response_id": response["response_id"], "score": response["score"]},
        )


def support_escalation(
    account: AccountSignals, rule: RuleSettings, context: RuleContext
) -> Iterator[CtaCandidate]:
    """An open urgent or escalated ticket."""
    for ticket in account.tickets:
        kind = "Escalated" if ticket["escalated"] else "Urgent"
        if ticket["escalated"] and ticket["priority"] == "urgent":
            kind = "Urgent, escalated"
        subject = (ticket.get("subject") or "").strip()
        yield _candidate(
            account,
            "support_escalation",
            rule,
            context,
            reason=(
                f"{kind} ticket {ticket['ticket_id']} open since "
                f"{ticket['created_at'].date().isoformat()}"
                + (f": {subject[:160]}" if subject else "")
            ),
            period=str(ticket["ticket_id"]),
            details={"ticket_id": ticket["ticket_id"], "priority": ticket["priority"]},
        )


def cancellation_save(
    account: AccountSignals, rule: RuleSettings, context: RuleContext
) -> Iterator[CtaCandidate]:
    """A ticket with churn intent ("how do we cancel?", "not renewing", "switch to X").

    One CTA per account: keyed by the oldest such ticket in the window, and the
    ``repeat_after_days`` suppression keeps later tickets of the same account quiet
    while it is open or was raised recently.
    """
    if not account.churn_intent:
        return
    first = account.churn_intent[0]
    subject = (first.get("subject") or "").strip()
    more = len(account.churn_intent) - 1
    yield _candidate(
        account,
        "cancellation_save",
        rule,
        context,
        reason=(
            f"Churn intent in ticket {first['ticket_id']} on "
            f"{first['created_at'].date().isoformat()}"
            + (f": {subject[:160]}" if subject else "")
            + (f" (+{more} more)" if more > 0 else "")
        ),
        period=str(first["ticket_id"]),
        details={
            "ticket_ids": [ticket["ticket_id"] for ticket in account.churn_intent],
            "phrase": first.get("reason"),
        },
    )


def payment_failure(
    account: AccountSignals, rule: RuleSettings, context: RuleContext
) -> Iterator[CtaCandidate]:
    """Unpaid invoices that failed, or are ``min_days_overdue``+ past due: one CTA per account.

    A declined card is raised at once; an invoice a few days past its due date is
    ordinary accounts-receivable noise that finance chases first. Every qualifying
    invoice goes into one CTA keyed by the oldest, so a second failed month while the
    first is still unpaid is the same problem, not a new CTA.
    """
    grace = int(rule.number("min_days_overdue", 0))
    unpaid = []
    for invoice in account.invoices:
        due = invoice.get("due_at")
        days_late = (context.today - due).days if due else 0
        if invoice["status"] == "failed" or days_late >= grace:
            unpaid.append((invoice, days_late))
    if not unpaid:
        return
    unpaid.sort(key=lambda item: (item[0].get("due_at") or context.today, item[0]["invoice_id"]))
    invoice, days_late = unpaid[0]
    due = invoice.get("due_at")
    late = f", {days_late} days past due" if due and days_late > 0 else ""
    total = sum(float(item["amount"]) for item, _ in unpaid)
    more = (
        f"; {len(unpaid) - 1} more unpaid ({_money(total, account.currency)} in all)"
        if len(unpaid) > 1
        else ""
    )
    yield _candidate(
        account,
        "payment_failure",
        rule,
        context,
        reason=(
            f"Invoice {invoice['invoice_id']} {invoice['status']}: "
            f"{_money(invoice['amount'], account.currency)}"
            + (f" (due {due.isoformat()}{late})" if due else "")
            + more
        ),
        period=str(invoice["invoice_id"]),
        details={
            "invoice_id": invoice["invoice_id"],
            "status": invoice["status"],
            "amount": float(invoice["amount"]),
            "invoice_ids": [item["invoice_id"] for item, _ in unpaid],
            "unpaid_total": round(total, 2),
        },
    )


def champion_inactive(
    account: AccountSignals, rule: RuleSettings, context: RuleContext
) -> Iterator[CtaCandidate]:
    """A champion who left with no active champion in their place, or a quiet champion.

    Quiet means no executive contact: neither the champion nor any active decision maker
    heard from for ``not_contacted_days`` (per segment in ``not_contacted_days_by_segment``:
    a tech-touch account hears from its CSM a few times a year, an enterprise one monthly).
    """
    by_segment = rule.extra("not_contacted_days_by_segment") or {}
    quiet_days = int(by_segment.get(account.segment, rule.number("not_contacted_days", 90)))
    replaced = any(champion["is_active"] for champion in account.champions)
    sponsor = account.sponsor_last_contacted_at
    sponsors_quiet = sponsor is None or (context.now - sponsor).days >= quiet_days
    for champion in account.champions:
        last = champion.get("last_contacted_at")
        if not champion["is_active"]:
            if replaced:
                continue  # another champion carries the account: the sponsor gap is closed
            reason = f"Champion {champion['name']} is no longer active"
            state = "inactive"
        elif last is not None and (context.now - last).days >= quiet_days and sponsors_quiet:
            reason = (
                f"Champion {champion['name']} not contacted for {(context.now - last).days} days "
                f"(last {last.date().isoformat()}); no champion or decision maker contacted "
                f"in {quiet_days} days"
            )
            state = "quiet"
        else:
            continue
        yield _candidate(
            account,
            "champion_inactive",
            rule,
            context,
            reason=reason,
            period=f"{champion['contact_id']}-{state}",
            details={"contact_id": champion["contact_id"], "state": state},
        )


def expansion(
    account: AccountSignals, rule: RuleSettings, context: RuleContext
) -> Iterator[CtaCandidate]:
    """Growth, seat pressure, promoter NPS or a high propensity, on a healthy account.

    Only bands in ``bands`` qualify (default green and yellow): an upsell pitched to an
    account whose health is slipping lands badly, so the shipped rules say green only.
    """
    bands = rule.extra("bands") or ["green", "yellow"]
    if account.health is not None and account.health.band not in bands:
        return
    signals: list[str] = []
    usage = account.usage
    if usage is not None and usage.prior_total >= 10:
        growth = (usage.recent_total - usage.prior_total) / usage.prior_total
        if growth >= rule.number("usage_growth", 0.5):
            signals.append(f"usage up {growth:.0%} month over month")
    seats = account.licensed_seats
    if usage is not None and seats and usage.avg_active_users_recent is not None:
        # Sustained, not one busy day: the glossary's "seats used" (the 30 complete days
        # before today, weekends included), worded as the health driver and the card say it.
        utilisation = usage.avg_active_users_recent / seats
        if utilisation > rule.number("seat_utilisation", 0.9):
            signals.append(f"seats used {seats_used_text(usage.avg_active_users_recent, seats)}")
    promoter_min = int(rule.number("promoter_min_score", 9))
    since = context.now - timedelta(days=rule.number("promoter_lookback_days", 90))
    promoters = [
        r for r in account.nps if r["score"] >= promoter_min and r["responded_at"] >= since
    ]
    if promoters:
        signals.append(f"promoter NPS {promoters[-1]['score']}")
    propensity = account.health.expansion if account.health is not None else None
    if propensity is not None and propensity >= rule.number("expansion_score", 70):
        signals.append(f"expansion propensity {propensity:.0f}/100")
    if not signals or len(signals) < rule.number("min_signals", 1):
        return
    yield _candidate(
        account,
        "expansion",
        rule,
        context,
        reason="Expansion signals: " + "; ".join(signals),
        period=context.today.strftime("%Y-%m"),
        details={"signals": signals},
    )


def renewal(
    account: AccountSignals, rule: RuleSettings, context: RuleContext
) -> Iterator[CtaCandidate]:
    """A contract end date crossing 120/90/60/30 days; one CTA per contract and milestone."""
    milestones = sorted((int(m) for m in rule.extra("milestones", [120, 90, 60, 30])), reverse=True)
    high_within = int(rule.number("high_priority_within_days", 60))
    for contract in account.contracts:
        days_left = (contract["end_date"] - context.today).days
        crossed = [m for m in milestones if days_left <= m]
        if not crossed or days_left < 0:
            continue
        milestone = crossed[-1]  # the nearest milestone already reached
        health = account.health
        health_text = f"; health {health.score:.0f} ({health.band})" if health else ""
        due = min(
            context.today + timedelta(days=rule.due_days),
            contract["end_date"] - timedelta(days=1),
        )
        yield _candidate(
            account,
            "renewal",
            rule,
            context,
            reason=(
                f"Renewal in {days_left} days: contract {contract['contract_id']} ends "
                f"{contract['end_date'].isoformat()}, "
                f"ARR {_money(contract['arr'], account.currency)}{health_text}"
            ),
            period=f"{contract['contract_id']}-{milestone}",
            priority="high" if days_left <= high_within else rule.priority,
            due_date=max(due, context.today),
            details={
                "contract_id": contract["contract_id"],
                "milestone": milestone,
                "days_left": days_left,
                "end_date": contract["end_date"].isoformat(),
                "arr": float(contract["arr"]),
                "currency": account.currency,
            },
        )


def onboarding_late(
    account: AccountSignals, rule: RuleSettings, context: RuleContext
) -> Iterator[CtaCandidate]:
    """An onboarding milestone not reached by its day, within the onboarding window."""
    if account.customer_since is None:
        return
    age = (context.today - account.customer_since).days
    if age < 0 or age > rule.number("window_days", 90):
        return
    usage = account.usage
    for milestone in context.milestones:
        if age <= milestone.by_day:
            continue
        if milestone.measure == "logins":
            value: float = usage.logins_total if usage else 0
        elif milestone.measure == "interactions":
            value = account.interactions_since_start
        else:
            if not account.licensed_seats or usage is None or usage.max_active_users_recent is None:
                value = 0.0
            else:
                value = usage.max_active_users_recent / account.licensed_seats
        if value >= milestone.threshold:
            continue
        yield _candidate(
            account,
            "onboarding_late",
            rule,
            context,
            reason=(
                f"Onboarding milestone late: {milestone.label} not reached {age} days after "
                f"start (due by day {milestone.by_day})"
            ),
            period=milestone.id,
            details={"milestone": milestone.id, "age_days": age, "value": value},
        )


RULES: dict[str, RuleFunction] = {
    "health_risk": health_risk,
    "usage_drop": usage_drop,
    "no_logins": no_logins,
    "nps_detractor": nps_detractor,
    "support_escalation": support_escalation,
    "cancellation_save": cancellation_save,
    "payment_failure": payment_failure,
    "champion_inactive": champion_inactive,
    "expansion": expansion,
    "renewal": renewal,
    "onboarding_late": onboarding_late,
}


def evaluate_rules(
    accounts: dict[str, AccountSignals],
    *,
    context: RuleContext,
    only: set[str] | None = None,
) -> list[CtaCandidate]:
    """Every candidate the configured rules raise, most urgent first."""
    candidates: list[CtaCandidate] = []
    for name, function in RULES.items():
        settings = context.config.rules.get(name)
        if settings is None or not settings.enabled or (only is not None and name not in only):
            continue
        for account in accounts.values():
            candidates.extend(function(account, settings, context))
    candidates.sort(key=lambda c: (PRIORITY_ORDER.get(c.priority, 9), c.due_date, c.account_id))
    return candidates
