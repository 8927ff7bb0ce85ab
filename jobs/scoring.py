"""The daily scoring job: health snapshots for every active account (CTA rules follow)."""

from __future__ import annotations

from typing import Any

from jobs.context import JobContext


def run_score(context: JobContext) -> dict[str, Any]:
    """Score as of the team's local date; a dry run computes but stores nothing."""
    from bot.services.health.runs import score_portfolio  # pandas/sklearn only when scoring runs

    day = context.now.astimezone(context.services.settings.tz).date()
    run = score_portfolio(
        context.services,
        as_of=day,
        persist=not context.dry_run,
        train_if_missing=not context.dry_run,
        actor="job:score",
    )
    bands = run.table["band"].value_counts().to_dict() if len(run.table) else {}
    return {
        "as_of": day.isoformat(),
        "accounts": int(len(run.table)),
        "snapshots_written": run.snapshots_written,
        "model": run.model_status,
        "bands": {str(k): int(v) for k, v in bands.items()},
    }
