"""Block Kit for "what does <metric> mean?": the glossary definition and the viewer's figure.

The view carries plain strings (the service fills them from the glossary and the store),
so this module knows nothing of where a definition or a figure comes from.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.slack.blocks.answer import Blocks, facts, note, paragraph, title
from bot.slack.formatting import escape_mrkdwn


@dataclass(frozen=True, slots=True)
class MetricDefinitionView:
    name: str
    definition: str
    window: str
    computed_by: str
    scope_label: str
    figure: str | None  # the viewer's current value, already formatted; None: per account
    figure_note: str | None = None


def build_metric_definition_blocks(view: MetricDefinitionView) -> Blocks:
    blocks: Blocks = [title(f"What “{view.name}” means")]
    blocks += paragraph(escape_mrkdwn(view.definition))
    pairs = [("Window", escape_mrkdwn(view.window))]
    if view.figure is not None:
        pairs.append((f"Now, for {escape_mrkdwn(view.scope_label)}", view.figure))
    blocks += facts(pairs)
    if view.figure_note:
        blocks.append(note(escape_mrkdwn(view.figure_note)))
    blocks.append(note(f"Computed by `{view.computed_by}`; every answer, digest and card uses it."))
    return blocks
