"""Raising CTAs: run the rules over the book and store each new CTA once.

The dedupe key (rule, account, period) is enforced by the ``ctas`` unique constraint,
so a re-run, a crash halfway or a second replica inserts nothing new. Rules that
describe an ongoing state (health, usage, logins, champion, expansion) additionally
raise nothing while a CTA for the same account and rule is open or was raised within
its ``repeat_after_days``: one open CTA per problem, not one per day.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.db import cta_repository as ctas_db
from bot.db.audit import record_audit
from bot.db.cta_signals import load_account_signals
from bot.services.ctas.rule_types import CtaCandidate, RuleContext
from bot.services.ctas.rules import evaluate_rules
from bot.services.ctas.rules_config import RulesConfig
from bot.settings import Settings

logger = logging.getLogger(__name__)


@dataclass
class CtaRunReport:
    accounts: int = 0
    candidates: int = 0
    created: int = 0
    suppressed: int = 0
    by_rule: dict[str, int] = field(default_factory=dict)
    created_keys: list[str] = field(default_factory=list)


def select_new_candidates(
    candidates: list[CtaCandidate],
    index: ctas_db.CtaIndex,
    *,
    rules: RulesConfig,
    now: datetime,
) -> tuple[list[CtaCandidate], int]:
    """Drop candidates that exist already or repeat a problem that is still being handled."""
    fresh: list[CtaCandidate] = []
    suppressed = 0
    keys = set(index.keys)
    open_pairs = set(index.open_pairs)
    for candidate in candidates:
        if candidate.dedupe_key in keys:
            continue
        settings = rules.rule(candidate.rule)
        pair = (candidate.account_id, candidate.rule)
        if settings.repeat_after_days > 0:
            last = index.last_raised.get(pair)
            recent = last is not None and last > now - timedelta(days=settings.repeat_after_days)
            if pair in open_pairs or recent:
                suppressed += 1
                continue
            open_pairs.add(pair)
        keys.add(candidate.dedupe_key)
        fresh.append(candidate)
    return fresh, suppressed


def raise_ctas(
    session: Session,
    *,
    settings: Settings,
    rules: RulesConfig,
    now: datetime,
    only_rules: set[str] | None = None,
) -> CtaRunReport:
    """Evaluate the rules as of ``now`` (in the team's time zone) and insert new CTAs."""
    today = now.astimezone(settings.tz).date()
    signals = load_account_signals(session=session, today=today, now=now, windows=rules.windows())
    context = RuleContext(today=today, now=now, config=rules)
    candidates = evaluate_rules(signals, context=context, only=only_rules)
    longest_repeat = max((r.repeat_after_days for r in rules.rules.values()), default=0)
    index = ctas_db.load_cta_index(session=session, since=now - timedelta(days=longest_repeat + 1))
    fresh, suppressed = select_new_candidates(candidates, index, rules=rules, now=now)
    rows = [
        {
            "dedupe_key": c.dedupe_key,
            "account_id": c.account_id,
            "rule": c.rule,
            "type": c.type,
            "priority": c.priority,
            "playbook_id": c.playbook_id,
            "reason": c.reason,
            "details": c.details,
            "owner_csm_id": c.owner_csm_id,
            "due_date": c.due_date,
            "status": "open",
            "created_at": now,
            "updated_at": now,
        }
        for c in fresh
    ]
    created = ctas_db.insert_ctas(session=session, rows=rows)
    report = CtaRunReport(
        accounts=len(signals),
        candidates=len(candidates),
        created=created,
        suppressed=suppressed,
        by_rule=dict(Counter(c.rule for c in fresh)),
        created_keys=[c.dedupe_key for c in fresh],
    )
    woken = ctas_db.wake_snoozed_ctas(session=session, now=now)
    record_audit(
        session=session,
        actor="job:cta_rules",
        action="ctas.raised",
        detail={
            "created": created,
            "suppressed": suppressed,
            "by_rule": report.by_rule,
            "woken": woken,
            "rules_version": rules.version,
        },
    )
    logger.info(
        "ctas raised",
        extra={"ctas_created": created, "ctas_suppressed": suppressed, "accounts": len(signals)},
    )
    return report
