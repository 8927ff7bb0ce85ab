"""The weekly churn model retrain: the newest renewal outcomes teach next week's risk."""

from __future__ import annotations

from typing import Any

from jobs.runner import JobContext


def run_model_train(context: JobContext) -> dict[str, Any]:
    """Retrain on every outcome before today (local); a dry run trains and saves nothing.

    Renewals close every week, and a model trained months ago keeps scoring with what
    churn looked like then. The summary puts the new held-out AUCs beside the ones of
    the model it replaces, so a weaker retrain shows in the job log. Too little history
    is not a failure: the job says so and the saved model (if any) stays.
    """
    from bot.services.health.model import (  # sklearn loads only when the job runs
        saved_model_summary,
        train_churn_model,
        training_outcome_counts,
    )
    from scoring.training import InsufficientHistory

    services = context.services
    day = context.now.astimezone(services.settings.tz).date()
    previous = saved_model_summary(services)
    if context.dry_run:
        return {
            "as_of": day.isoformat(),
            "trained": False,
            "would_train_on": training_outcome_counts(services, as_of=day),
            "current_model": previous,
        }
    try:
        result = train_churn_model(services, as_of=day, actor="job:model_train")
    except InsufficientHistory as exc:
        return {
            "as_of": day.isoformat(),
            "trained": False,
            "reason": str(exc),
            "current_model": previous,
        }
    report = result.report
    saved = saved_model_summary(services) or {}
    return {
        "as_of": day.isoformat(),
        "trained": True,
        "chosen": report.chosen,
        "risk_source": report.risk_source,
        "outcomes": saved.get("outcomes"),
        "test_auc": report.model_test.auc,
        "rule_test_auc": report.rule_test.auc,
        "previous_model": previous,
    }
