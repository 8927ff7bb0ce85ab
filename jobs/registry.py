"""Every scheduled job in one table: name, what it does, its function and its trigger.

Triggers are built from settings (``CSBOT_TIMEZONE``, ``CSBOT_SCORE_TIME``,
``CSBOT_DIGEST_TIME``) so a deployment moves its schedule without code changes.
CTA rules run a fixed offset after scoring so they always see the day's snapshots.
``delivers=True`` marks the jobs after which the outbox sends what is due.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger

from bot.settings import Settings, parse_clock
from bot.sources.sync.registry import SOURCES as SYNC_SOURCES
from jobs.context import JobFunction
from jobs.crm_writeback import crm_configured, run_crm_writeback
from jobs.ctas import run_cta_rules, run_renewal_reminders
from jobs.digests import run_csm_weekly_summary, run_manager_digest
from jobs.escalations import run_escalation_sla
from jobs.freshness import run_data_freshness
from jobs.knowledge import run_knowledge_refresh, run_themes_rebuild
from jobs.model_training import run_model_train
from jobs.outbox import run_deliver_alerts
from jobs.scoring import run_score
from jobs.sync import sync_enabled, sync_function, sync_job_name, sync_schedule, sync_trigger
from jobs.webhooks import run_webhook_inbox, webhooks_configured

KNOWLEDGE_BEFORE_SCORE = timedelta(minutes=-40)
MODEL_TRAIN_BEFORE_SCORE = timedelta(minutes=-60)  # Sunday's score already uses the new model
CTA_RULES_AFTER_SCORE = timedelta(minutes=20)
CRM_WRITEBACK_AFTER_SCORE = timedelta(minutes=15)
RENEWALS_AFTER_SCORE = timedelta(minutes=30)


@dataclass(frozen=True, slots=True)
class JobDefinition:
    name: str
    description: str
    function: JobFunction
    trigger: Callable[[Settings], BaseTrigger]
    schedule: Callable[[Settings], str]
    delivers: bool = False
    """True: after the commit the runner sends what is due (``outbox.delivery.send_now``).

    Jobs that queue messages declare it, so their posts go out with the run; the others
    leave the outbox to ``deliver_alerts``."""
    enabled: Callable[[Settings], bool] = lambda settings: True
    """False: not scheduled (a sync job whose source has no credentials)."""


def _at(clock: str, offset: timedelta = timedelta()) -> tuple[int, int]:
    hour, minute = parse_clock(clock)
    moment = datetime(2000, 1, 1, hour, minute) + offset
    return moment.hour, moment.minute


def _daily(
    clock: Callable[[Settings], str], offset: timedelta = timedelta(), days: str = "*"
) -> Callable[[Settings], BaseTrigger]:
    def build(settings: Settings) -> BaseTrigger:
        hour, minute = _at(clock(settings), offset)
        return CronTrigger(day_of_week=days, hour=hour, minute=minute, timezone=settings.tz)

    return build


def _describe(
    clock: Callable[[Settings], str], offset: timedelta = timedelta(), days: str = "daily"
) -> Callable[[Settings], str]:
    def text(settings: Settings) -> str:
        hour, minute = _at(clock(settings), offset)
        return f"{days} {hour:02d}:{minute:02d} {settings.timezone}"

    return text


def _every(minutes: int) -> Callable[[Settings], BaseTrigger]:
    def build(settings: Settings) -> BaseTrigger:
        return CronTrigger(minute=f"*/{minutes}", timezone=settings.tz)

    return build


def _score_time(settings: Settings) -> str:
    return settings.score_time


def _digest_time(settings: Settings) -> str:
    return settings.digest_time


JOBS: dict[str, JobDefinition] = {
    job.name: job
    for job in (
        JobDefinition(
            "knowledge_refresh",
            "Index new tickets and score their sentiment (feeds the day's scoring)",
            run_knowledge_refresh,
            _daily(_score_time, KNOWLEDGE_BEFORE_SCORE),
            _describe(_score_time, KNOWLEDGE_BEFORE_SCORE),
        ),
        JobDefinition(
            "themes_rebuild",
            "Re-cluster ticket themes for the portfolio, each CSM book and account (weekly)",
            run_themes_rebuild,
            _daily(_score_time, KNOWLEDGE_BEFORE_SCORE * 2, days="sun"),
            _describe(_score_time, KNOWLEDGE_BEFORE_SCORE * 2, days="sun"),
        ),
        JobDefinition(
            "model_train",
            "Retrain the churn model on the newest renewal outcomes (weekly)",
            run_model_train,
            _daily(_score_time, MODEL_TRAIN_BEFORE_SCORE, days="sun"),
            _describe(_score_time, MODEL_TRAIN_BEFORE_SCORE, days="sun"),
        ),
        JobDefinition(
            "score",
            "Score every active account and store the day's snapshots",
            run_score,
            _daily(_score_time),
            _describe(_score_time),
        ),
        JobDefinition(
            "crm_writeback",
            "Push changed health fields to the CRM (only when a CRM is configured)",
            run_crm_writeback,
            _daily(_score_time, CRM_WRITEBACK_AFTER_SCORE),
            lambda s: (
                _describe(_score_time, CRM_WRITEBACK_AFTER_SCORE)(s)
                + ("" if crm_configured(s) else " (no CRM configured: not scheduled)")
            ),
            crm_configured,
        ),
        JobDefinition(
            "cta_rules",
            "Raise CTAs from the playbook triggers and queue alerts",
            run_cta_rules,
            _daily(_score_time, CTA_RULES_AFTER_SCORE),
            _describe(_score_time, CTA_RULES_AFTER_SCORE),
            delivers=True,
        ),
        JobDefinition(
            "renewal_reminders",
            "Renewal CTAs at 120/90/60/30 days with reminders",
            run_renewal_reminders,
            _daily(_score_time, RENEWALS_AFTER_SCORE),
            _describe(_score_time, RENEWALS_AFTER_SCORE),
            delivers=True,
        ),
        JobDefinition(
            "manager_digest",
            "Team digest with chart for each manager (weekdays)",
            run_manager_digest,
            _daily(_digest_time, days="mon-fri"),
            _describe(_digest_time, days="mon-fri"),
            delivers=True,
        ),
        JobDefinition(
            "csm_weekly_summary",
            "Each CSM's book compared with last week",
            run_csm_weekly_summary,
            _daily(_digest_time, days="mon"),
            _describe(_digest_time, days="mon"),
            delivers=True,
        ),
        JobDefinition(
            "data_freshness",
            "Alert when a source feed is stale",
            run_data_freshness,
            lambda s: CronTrigger(minute=5, timezone=s.tz),
            lambda s: f"hourly at :05 {s.timezone}",
            delivers=True,
        ),
        JobDefinition(
            "escalation_sla",
            "Re-ping and escalate escalations past their SLA",
            run_escalation_sla,
            _every(5),
            lambda s: "every 5 minutes",
            delivers=True,
        ),
        JobDefinition(
            "deliver_alerts",
            "Send due alerts: retries (Slack errors), quiet-hours releases, unconfirmed posts",
            run_deliver_alerts,
            _every(5),
            lambda s: "every 5 minutes",
            delivers=True,
        ),
        JobDefinition(
            "webhook_inbox",
            "Import queued Stripe, Zendesk and Intercom webhook events into the store",
            run_webhook_inbox,
            _every(1),
            lambda s: (
                "every minute"
                + ("" if webhooks_configured(s) else " (no webhook secret set: not scheduled)")
            ),
            enabled=webhooks_configured,
        ),
        *(
            JobDefinition(
                sync_job_name(source),
                f"Sync {source} into the store (only scheduled when {source} is configured)",
                sync_function(source),
                sync_trigger(source),
                sync_schedule(source),
                enabled=sync_enabled(source),
            )
            for source in SYNC_SOURCES
        ),
    )
}


def job_definition(name: str) -> JobDefinition:
    """The job called ``name``; a wrong name lists the right ones."""
    try:
        return JOBS[name]
    except KeyError:
        raise KeyError(f"no job named {name!r}; jobs: {', '.join(JOBS)}") from None
