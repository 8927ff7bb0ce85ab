"""The answer to "what does <metric> mean?": the glossary's sentence and the asker's figure.

The definition is the one :mod:`bot.services.metrics.glossary` holds and the figure is
computed by :mod:`bot.services.metrics.readings` for the asker's scope, exactly as the
metric's own answer, the digest and App Home compute it.
"""

from __future__ import annotations

from bot.db.queries.records import MoneyTotal
from bot.services.answers.context import AnswerContext, Reply
from bot.services.metrics.glossary import METRICS, Metric, find_metric
from bot.services.metrics.readings import (
    portfolio_figures,
    portfolio_nps_reading,
    renewals_due,
)
from bot.slack import formatting as fmt
from bot.slack.blocks.answer import Blocks, bullets, paragraph, title
from bot.slack.blocks.glossary import MetricDefinitionView, build_metric_definition_blocks


def _money(totals: list[MoneyTotal]) -> str:
    if not totals:
        return fmt.money(0)
    return " + ".join(fmt.money(total.amount, total.currency) for total in totals)


def _figure(ctx: AnswerContext, entry: Metric) -> tuple[str | None, tuple[str, ...], str | None]:
    """(the viewer's current value, sources read, a note) for one glossary entry."""
    scope = ctx.viewer.scope_for(ctx.parsed.scope)
    key = entry.key
    if key in ("arr_at_risk", "at_risk_accounts", "red_accounts", "health_bands"):
        figures = portfolio_figures(
            ctx.session, scope, today=ctx.today, scoring_date=ctx.scoring_date
        )
        if key == "arr_at_risk":
            accounts = fmt.plural(figures.at_risk_accounts, "account")
            return f"{_money(figures.arr_at_risk)} ({accounts})", ("accounts",), None
        if key == "at_risk_accounts":
            return f"{figures.at_risk_accounts}", ("accounts",), None
        if key == "red_accounts":
            return f"{figures.red_accounts}", ("accounts",), None
        counts = figures.summary.bands.counts
        shown = " · ".join(f"{counts.get(b, 0)} {b}" for b in ("red", "yellow", "green"))
        return shown, ("accounts",), None
    if key == "renewals_due":
        found = renewals_due(ctx.session, scope, today=ctx.today, scoring_date=ctx.scoring_date)
        contracts = fmt.plural(found.page.total, "contract")
        return f"{contracts}, {_money(found.totals)}", ("contracts",), None
    if key in ("nps", "detractors"):
        summary = portfolio_nps_reading(ctx.session, scope, today=ctx.today)
        if key == "detractors":
            return f"{summary.detractors} of {summary.responses} responses", ("nps",), None
        value = fmt.nps(summary.average) if summary.average is not None else "no responses"
        return f"{value} ({fmt.plural(summary.responses, 'response')})", ("nps",), None
    return None, (), "A figure of one account: ask it about an account, e.g. “usage for Acme”."


def _definition(ctx: AnswerContext, entry: Metric) -> str:
    if entry.key != "health_bands":
        return entry.definition
    from scoring.config import load_health_config

    config = load_health_config(ctx.services.settings.health_config_path)
    return entry.definition.format(
        yellow_from=config.bands.yellow_from,
        green_from=config.bands.green_from,
        margin=config.hysteresis_margin,
    )


def answer_metric_definition(ctx: AnswerContext) -> Reply:
    """The glossary entry the question names, or the list of entries when it names none."""
    entry = find_metric(ctx.question.text)
    if entry is None:
        return Reply(blocks=_glossary_list(), sources=())
    value, sources, figure_note = _figure(ctx, entry)
    view = MetricDefinitionView(
        name=entry.name,
        definition=_definition(ctx, entry),
        window=entry.window,
        computed_by=entry.computed_by,
        scope_label=ctx.scope_label(ctx.parsed.scope),
        figure=value,
        figure_note=figure_note,
    )
    return Reply(
        blocks=build_metric_definition_blocks(view),
        sources=sources,
        scored_on=ctx.scoring_date if "accounts" in sources else None,
        notes=ctx.narrowed_note(ctx.parsed.scope),
    )


def _glossary_list() -> Blocks:
    blocks: Blocks = [title("Metrics I can explain")]
    blocks += paragraph("Ask “what does <metric> mean?” for one of these:")
    return blocks + bullets(None, [m.name for m in METRICS])
