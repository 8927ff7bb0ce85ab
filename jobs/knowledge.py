"""Knowledge jobs: new tickets indexed and scored for sentiment before the day's scoring,
and themes re-clustered weekly (new tickets join existing themes in between)."""

from __future__ import annotations

from typing import Any

from jobs.context import JobContext


def run_knowledge_refresh(context: JobContext) -> dict[str, Any]:
    """Embed only new or changed texts; the sentiment it stores feeds the support component."""
    if context.dry_run:
        return {"dry_run": "would index new tickets, score new texts and attach them to themes"}
    from bot.services.corpus.indexing import refresh_knowledge  # torch and chromadb load here only

    return refresh_knowledge(context.services, actor="job:knowledge_refresh").to_dict()


def run_themes_rebuild(context: JobContext) -> dict[str, Any]:
    """Re-cluster every scope from scratch, so themes follow what customers now write about."""
    if context.dry_run:
        return {"dry_run": "would re-cluster portfolio, CSM and account themes"}
    from bot.services.corpus.themes import rebuild_all_themes

    scopes = rebuild_all_themes(context.services, now=context.now)
    return {"scopes": len(scopes), "themes": sum(scopes.values())}
