"""What the LLM router's tools return, and the check every figure of its reply must pass.

The tools are csbot's typed questions (``AccountQuestion``, ``PortfolioQuestion`` in
:mod:`bot.services.answers.llm_router`); running one goes through the same name
resolution, viewer scope and typed queries as a parsed question, so a tool can only
ever return what the asker may see. The model then writes a reply from those
results; :func:`grounded_reply` checks each figure in it (money, percentages,
numbers, dates) against the tool results with the drafting grounding check and
marks any it cannot find, so an invented number never passes as csbot's.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.services.drafting.grounding import (
    Claim,
    GroundingIndex,
    check_grounding,
    mark_unsupported,
)

FIGURE_KINDS = frozenset({"money", "percent", "number"})
MAX_TOOL_CALLS = 3  # a reply from more results than this is no longer one answer


@dataclass(frozen=True, slots=True)
class GroundedReply:
    text: str
    unsupported: tuple[Claim, ...]
    checked: int


def grounded_reply(reply: str, tool_results: Iterable[str]) -> GroundedReply:
    """``reply`` with every figure the tool results do not state marked ``[unverified: …]``.

    Dates are checked by their exact text (the results render them one way, with
    ``bot.slack.figures``); names are not checked here: accounts and people only
    reach the results through the viewer's scope.
    """
    results = list(tool_results)
    index = GroundingIndex.from_texts(results)
    report = check_grounding([("reply", reply)], index)
    joined = "\n".join(results)
    unsupported = tuple(
        claim
        for claim in report.unsupported
        if claim.kind in FIGURE_KINDS or (claim.kind == "date" and claim.text not in joined)
    )
    return GroundedReply(mark_unsupported(reply, unsupported), unsupported, report.checked)
