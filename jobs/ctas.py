"""CTA jobs: the daily rules run (after scoring) and the renewal reminders.

Both raise CTAs through ``bot.services.ctas.raising`` and queue their alerts through the
outbox; the renewal rule runs on its own schedule so reminders do not wait for, or
repeat with, the risk rules.
"""

from __future__ import annotations

from typing import Any

from bot.services.ctas.alert_planning import plan_cta_alerts
from bot.services.ctas.raising import raise_ctas
from bot.services.ctas.rules import RULES
from bot.services.ctas.rules_config import load_rules_config
from jobs.context import JobContext

RENEWAL_RULES = frozenset({"renewal"})
RISK_AND_LIFECYCLE_RULES = frozenset(RULES) - RENEWAL_RULES


def _run(context: JobContext, rules_subset: frozenset[str]) -> dict[str, Any]:
    settings = context.services.settings
    rules = load_rules_config(settings.cta_rules_file)
    raised = raise_ctas(
        context.session,
        settings=settings,
        rules=rules,
        now=context.now,
        only_rules=set(rules_subset),
    )
    planned = plan_cta_alerts(
        context.session,
        settings=settings,
        rules=rules,
        now=context.now,
        only_rules=set(rules_subset),
    )
    return {
        "accounts": raised.accounts,
        "ctas_created": raised.created,
        "ctas_suppressed": raised.suppressed,
        "by_rule": raised.by_rule,
        "alerts_planned": planned.planned,
        "alerts_rolled": planned.rolled,
        "summaries": planned.summaries,
        "unroutable": planned.unroutable,
    }


def run_cta_rules(context: JobContext) -> dict[str, Any]:
    """Every rule but renewals, then alerts for the CTAs it raised."""
    return _run(context, RISK_AND_LIFECYCLE_RULES)


def run_renewal_reminders(context: JobContext) -> dict[str, Any]:
    """Renewals crossing 120/90/60/30 days, as CTAs with renewal reminder messages."""
    return _run(context, RENEWAL_RULES)
