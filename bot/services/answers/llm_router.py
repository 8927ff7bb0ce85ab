"""For phrasings the rules miss, let a configured LLM pick one of the same typed questions.

The model gets the question (contact details redacted) and two tools whose
arguments are the parser's own vocabulary: a topic about one named account, or a
topic about a book of accounts with a scope and a horizon. It never sees the
store and never writes a query: its choice becomes a :class:`RoutedQuestion`
that goes through the same name resolution, permissions and typed queries as a
parsed one. Any failure (no tool call, invalid arguments, timeout, server error)
returns ``None`` and the deterministic answer stands.

langchain and the OpenAI client are imported inside the function, so the plain
question path stays free of them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, Field, ValidationError

from bot.services.accounts.redaction import Redactor
from bot.services.accounts.viewers import RequestedScope
from bot.services.answers.intents import Intent
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.services.answers.types import Answer

logger = logging.getLogger(__name__)

ACCOUNT_TOPICS: dict[str, Intent] = {
    "overview": Intent.ACCOUNT_OVERVIEW,
    "health": Intent.HEALTH,
    "health_change": Intent.HEALTH_CHANGE,
    "renewal_date": Intent.RENEWAL_DATE,
    "usage": Intent.USAGE,
    "tickets": Intent.TICKETS,
    "themes": Intent.THEMES,
    "contacts": Intent.CONTACTS,
    "nps": Intent.NPS,
    "arr": Intent.ARR,
    "next_steps": Intent.NEXT_STEPS,
}
PORTFOLIO_TOPICS: dict[str, Intent] = {
    "renewals": Intent.RENEWALS,
    "accounts": Intent.ACCOUNTS,
    "at_risk": Intent.AT_RISK,
    "arr": Intent.ARR,
    "arr_at_risk": Intent.ARR_AT_RISK,
    "band_changes": Intent.BAND_CHANGES,
    "tickets": Intent.TICKETS,
    "themes": Intent.THEMES,
    "nps": Intent.NPS,
    "next_steps": Intent.NEXT_STEPS,
}

SYSTEM_PROMPT = (
    "You route questions from Customer Success managers to csbot's typed queries. "
    "Call exactly one tool when the question is about customer accounts: "
    "AccountQuestion for one named account, PortfolioQuestion for several accounts. "
    "Copy the account name as the user wrote it; never invent one. "
    "If the question is not about customer accounts, call no tool and reply 'none'."
)
REPLY_PROMPT = (
    "Answer the question in two or three sentences using only the tool results above. "
    "Quote figures exactly as the results state them; never compute or estimate new ones. "
    "If the results do not answer the question, say so."
)


class AccountQuestion(BaseModel):
    """A question about one customer account, named in the question."""

    topic: Literal[
        "overview",
        "health",
        "health_change",
        "renewal_date",
        "usage",
        "tickets",
        "themes",
        "contacts",
        "nps",
        "arr",
        "next_steps",
    ] = Field(
        description="What the person wants to know about the account (tickets: the open or "
        "recent ticket list; themes: what its users complain about)."
    )
    account_name: str = Field(
        min_length=1, max_length=200, description="The account's name as the user wrote it."
    )


class PortfolioQuestion(BaseModel):
    """A question about several accounts: the asker's own, their team's, or all of them."""

    topic: Literal[
        "renewals",
        "accounts",
        "at_risk",
        "arr",
        "arr_at_risk",
        "band_changes",
        "tickets",
        "themes",
        "nps",
        "next_steps",
    ] = Field(
        description="What the person wants to know about the accounts (tickets: who has open "
        "tickets; themes: what customers complain about)."
    )
    scope: Literal["me", "team", "all"] | None = Field(
        None, description="Whose accounts: me (my own), team (my team), all; omit if unsaid."
    )
    days: int | None = Field(
        None, ge=1, le=1095, description="For renewals: how many days ahead to look."
    )


TOOLS: dict[str, type[BaseModel]] = {
    model.__name__: model for model in (AccountQuestion, PortfolioQuestion)
}


@dataclass(frozen=True, slots=True)
class RoutedQuestion:
    intent: Intent
    account_name: str | None = None
    scope: RequestedScope | None = None
    days: int | None = None


def route_with_llm(settings: Settings, text: str) -> RoutedQuestion | None:
    """Ask the configured LLM which typed question ``text`` is; None when it cannot say."""
    from bot.llm import build_langchain_chat

    chat = build_langchain_chat(settings)
    if chat is None:
        return None
    from langchain_core.messages import HumanMessage, SystemMessage

    redacted = Redactor().redact(text) if settings.redact_pii else text
    try:
        reply = chat.bind_tools(list(TOOLS.values())).invoke(
            [SystemMessage(content=SYSTEM_PROMPT), HumanMessage(content=redacted)]
        )
    except Exception as exc:  # noqa: BLE001 - any failure means "use the rules' answer"
        logger.warning("llm routing failed", extra={"error_type": type(exc).__name__})
        return None
    return _routed(getattr(reply, "tool_calls", None) or [])


def _routed(calls: list[dict[str, Any]]) -> RoutedQuestion | None:
    """The first valid tool call as a typed question (arguments validated, never trusted)."""
    for call in calls:
        model = TOOLS.get(str(call.get("name")))
        if model is None:
            continue
        try:
            arguments = model.model_validate(call.get("args") or {})
        except ValidationError:
            logger.info("llm routing gave invalid arguments", extra={"tool": call.get("name")})
            continue
        if isinstance(arguments, AccountQuestion):
            return RoutedQuestion(
                intent=ACCOUNT_TOPICS[arguments.topic], account_name=arguments.account_name
            )
        if isinstance(arguments, PortfolioQuestion):
            return RoutedQuestion(
                intent=PORTFOLIO_TOPICS[arguments.topic],
                scope=arguments.scope,
                days=arguments.days,
            )
    return None


# The answers a tool call may end in without a reply being written: choices, refusals
# and "not found" are shown as they are (buttons, and no hint of hidden accounts).
NOT_DATA = frozenset({"not_found", "choose_account", "which_account", "help", "refused"})


@dataclass(frozen=True, slots=True)
class ToolAnswer:
    """What the tool-calling router produced: the reply, and the typed answers behind it."""

    reply: str | None  # None: show ``answers[0]`` as it is
    answers: list[Answer]
    unverified: int = 0


def answer_with_tools(
    settings: Settings, text: str, run: Callable[[RoutedQuestion], Answer]
) -> ToolAnswer | None:
    """Let the LLM call csbot's typed questions, then write a reply checked against them.

    ``run`` answers one typed question exactly as the pipeline would for this asker
    (their scope applies inside every call). None when the model calls no valid tool
    or the first call fails; if writing the reply fails, the first tool's answer is
    shown as it is (its figures are the store's). With ``CSBOT_REDACT_PII`` contact
    details are replaced by placeholders in everything sent (question and tool
    results) and put back in the reply.
    """
    from bot.llm import build_langchain_chat

    chat = build_langchain_chat(settings)
    if chat is None:
        return None
    from langchain_core.messages import HumanMessage, SystemMessage, ToolMessage

    from bot.services.answers.llm_tools import MAX_TOOL_CALLS, grounded_reply

    redactor = Redactor() if settings.redact_pii else None
    redacted = redactor.redact(text) if redactor else text
    messages: list[Any] = [SystemMessage(content=SYSTEM_PROMPT), HumanMessage(content=redacted)]
    bound = chat.bind_tools(list(TOOLS.values()))
    try:
        first = bound.invoke(messages)
    except Exception as exc:  # noqa: BLE001 - any failure means "use the rules' answer"
        logger.warning("llm routing failed", extra={"error_type": type(exc).__name__})
        return None
    calls = [
        (call, routed)
        for call in (getattr(first, "tool_calls", None) or [])[:MAX_TOOL_CALLS]
        if (routed := _routed([call])) is not None
    ]
    if not calls:
        return None
    answers = [run(routed) for _, routed in calls]
    if answers[0].intent in NOT_DATA or len(answers) != len(first.tool_calls):
        return ToolAnswer(reply=None, answers=answers[:1])
    messages.append(first)
    for (call, _), answer in zip(calls, answers, strict=True):
        result = redactor.redact(answer.text) if redactor else answer.text
        messages.append(ToolMessage(content=result, tool_call_id=str(call.get("id") or "")))
    messages.append(HumanMessage(content=REPLY_PROMPT))
    try:
        final = chat.invoke(messages)
    except Exception as exc:  # noqa: BLE001 - the typed answer stands on its own
        logger.warning("llm reply failed", extra={"error_type": type(exc).__name__})
        return ToolAnswer(reply=None, answers=answers[:1])
    content = str(getattr(final, "content", "") or "").strip()
    if redactor:
        content = redactor.restore(content)  # contact details back in, on our side
    if not content or getattr(final, "tool_calls", None):
        return ToolAnswer(reply=None, answers=answers[:1])
    checked = grounded_reply(content, [answer.text for answer in answers])
    if checked.unsupported:
        logger.info("llm reply had unverified figures", extra={"count": len(checked.unsupported)})
    return ToolAnswer(reply=checked.text, answers=answers, unverified=len(checked.unsupported))
