"""Drafting use cases: outreach emails and account summaries that never invent a fact.

One flow for every surface (CLI, Slack): build the facts pack, write a draft (the LLM
when configured, else the deterministic template), check every claim against the pack,
regenerate once naming the violations, and if claims are still unsupported mark them
in the text and say so. Nothing is ever presented as verified unless it is. Each draft
is stored with its model and audited.

The LLM sees redacted text only (contact e-mails, phone numbers and, per
``CSBOT_REDACT_CONTACT_NAMES``, contact names swapped for placeholders, restored in
the reply) unless ``CSBOT_REDACT_PII`` is off. A timeout or
server error after the client's bounded retries falls back to the template, with a note.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, replace
from datetime import date

from bot.db.audit import record_audit
from bot.db.drafts import add_draft
from bot.db.session import unit_of_work
from bot.llm import ChatMessage, ChatModel, LlmUnavailable, TokenCounter, token_counter_for
from bot.services import Services
from bot.services.accounts.redaction import Redactor
from bot.services.drafting.claims import mark_unsupported
from bot.services.drafting.facts import FactsPack, build_facts_pack
from bot.services.drafting.grounding import GroundingIndex, GroundingReport, check_grounding
from bot.services.drafting.prompts import (
    build_draft_prompt,
    parse_draft_reply,
    regeneration_message,
)
from bot.services.drafting.template import template_email, template_summary
from bot.services.drafting.types import (
    DEFAULT_PURPOSE,
    DEFAULT_TONE,
    PURPOSES,
    TEMPLATE_MODEL,
    TONES,
    DraftKind,
    DraftResult,
    DraftText,
    Purpose,
    Recipient,
    Tone,
    choose_recipient,
)

logger = logging.getLogger(__name__)

NO_LLM_NOTE = "Template draft: no language model is configured."
FALLBACK_NOTE = "The language model did not answer ({reason}), so this is the template draft."
UNVERIFIED_NOTE = (
    "{count} claim(s) could not be verified against the account data and are marked "
    "[unverified: …]. Check them before sending."
)
MAX_LLM_ATTEMPTS = 2


@dataclass(frozen=True, slots=True)
class _Written:
    text: DraftText
    report: GroundingReport
    model: str
    attempts: int
    prompt_tokens: int | None
    completion_tokens: int | None


def parse_purpose(value: str | None) -> Purpose:
    """A purpose from user input (``check in`` and ``Check-In`` both work).

    Raises:
        ValueError: naming the accepted purposes.
    """
    if value is None or not value.strip():
        return DEFAULT_PURPOSE
    normal = "-".join(value.strip().lower().replace("_", "-").split())
    normal = {"checkin": "check-in", "nps": "nps-followup", "nps-follow-up": "nps-followup"}.get(
        normal, normal
    )
    if normal not in PURPOSES:
        raise ValueError(f"unknown purpose {value!r}; choose one of {', '.join(PURPOSES)}")
    return normal  # type: ignore[return-value]


def parse_tone(value: str | None) -> Tone:
    """A tone from user input.

    Raises:
        ValueError: naming the accepted tones.
    """
    if value is None or not value.strip():
        return DEFAULT_TONE
    normal = value.strip().lower()
    if normal not in TONES:
        raise ValueError(f"unknown tone {value!r}; choose one of {', '.join(TONES)}")
    return normal  # type: ignore[return-value]


def draft_email(
    services: Services,
    account_query: str,
    *,
    purpose: Purpose = DEFAULT_PURPOSE,
    tone: Tone = DEFAULT_TONE,
    actor: str,
    today: date | None = None,
) -> DraftResult:
    """Draft an email to the right contact at the account, for a purpose and in a tone.

    Raises:
        AccountNotFound, AmbiguousAccount: when the account cannot be resolved.
    """
    pack = build_facts_pack(services, account_query, today=today)
    return draft_from_pack(services, pack, kind="email", purpose=purpose, tone=tone, actor=actor)


def draft_summary(
    services: Services, account_query: str, *, actor: str, today: date | None = None
) -> DraftResult:
    """Draft an internal account brief: situation, risks, opportunities, next steps.

    Raises:
        AccountNotFound, AmbiguousAccount: when the account cannot be resolved.
    """
    pack = build_facts_pack(services, account_query, today=today)
    return draft_from_pack(services, pack, kind="summary", purpose=None, tone=None, actor=actor)


def draft_from_pack(
    services: Services,
    pack: FactsPack,
    *,
    kind: DraftKind,
    purpose: Purpose | None,
    tone: Tone | None,
    actor: str,
    asker_csm_id: str | None = None,
) -> DraftResult:
    """Write, check, store and audit one draft from an already-built facts pack.

    ``asker_csm_id`` is who asked (None from the CLI); with
    ``CSBOT_REDACT_CONTACT_NAMES=except-own`` the names of contacts on their own
    accounts reach the LLM, everyone else's are replaced.
    """
    started = time.perf_counter()
    recipient = choose_recipient(pack, purpose) if kind == "email" and purpose else None
    template = (
        template_email(pack, purpose=purpose, tone=tone, to=recipient)
        if kind == "email" and purpose and tone
        else template_summary(pack)
    )
    index = GroundingIndex.from_pack(pack)
    notes: list[str] = []
    chat = services.chat_model
    written: _Written | None = None
    if chat is None:
        notes.append(NO_LLM_NOTE)
    else:
        try:
            written = _write_with_llm(
                chat,
                pack,
                index,
                kind=kind,
                purpose=purpose,
                tone=tone,
                recipient=recipient,
                fallback_subject=template.subject,
                budget_tokens=services.settings.llm_prompt_token_budget,
                counter=_counter(chat, services),
                redact=services.settings.redact_pii,
                names_to_redact=names_to_redact(
                    pack, services.settings.redact_contact_names, asker_csm_id=asker_csm_id
                ),
            )
        except LlmUnavailable as exc:
            notes.append(FALLBACK_NOTE.format(reason=exc.reason))
    if written is None:
        written = _Written(
            text=template,
            report=check_grounding([("subject", template.subject), ("body", template.body)], index),
            model=TEMPLATE_MODEL,
            attempts=0,
            prompt_tokens=None,
            completion_tokens=None,
        )
    text, report = written.text, written.report
    if not report.verified:
        text = DraftText(
            subject=mark_unsupported(
                text.subject, [c for c in report.unsupported if c.field == "subject"]
            ),
            body=mark_unsupported(text.body, [c for c in report.unsupported if c.field == "body"]),
        )
        notes.append(UNVERIFIED_NOTE.format(count=len(report.unsupported)))
    result = DraftResult(
        kind=kind,
        account_id=pack.account_id,
        account_name=pack.account_name,
        purpose=purpose,
        tone=tone,
        recipient=recipient,
        subject=text.subject,
        body=text.body,
        facts=pack,
        grounding=report,
        model=written.model,
        generator="template" if written.model == TEMPLATE_MODEL else "llm",
        attempts=written.attempts,
        notes=tuple(notes),
        prompt_tokens=written.prompt_tokens,
        completion_tokens=written.completion_tokens,
        elapsed_ms=(time.perf_counter() - started) * 1000,
    )
    return _store(services, result, actor=actor)


def _counter(chat: ChatModel, services: Services) -> TokenCounter:
    counter = getattr(chat, "counter", None)
    if isinstance(counter, TokenCounter):
        return counter
    return token_counter_for(chat.model_name, cache_dir=services.settings.tiktoken_cache_dir)


def _write_with_llm(
    chat: ChatModel,
    pack: FactsPack,
    index: GroundingIndex,
    *,
    kind: DraftKind,
    purpose: Purpose | None,
    tone: Tone | None,
    recipient: Recipient | None,
    fallback_subject: str,
    budget_tokens: int,
    counter: TokenCounter,
    redact: bool,
    names_to_redact: tuple[str, ...] = (),
) -> _Written:
    """Draft with the model; regenerate once, naming the claims the check rejected.

    Raises:
        LlmUnavailable: when the model fails (the caller falls back to the template).
    """
    prompt = build_draft_prompt(
        pack,
        kind=kind,
        purpose=purpose,
        tone=tone,
        recipient=recipient,
        budget_tokens=budget_tokens,
        counter=counter,
    )
    redactor = (
        Redactor(
            known_emails=[c.email for c in pack.contacts if c.email], known_names=names_to_redact
        )
        if redact
        else None
    )
    conversation: list[ChatMessage] = list(prompt.messages)
    prompt_tokens = completion_tokens = 0
    outcome: tuple[DraftText, GroundingReport] | None = None
    model = chat.model_name
    for attempt in range(1, MAX_LLM_ATTEMPTS + 1):
        outgoing = [_redacted(message, redactor) for message in conversation]
        reply = chat.complete(outgoing, purpose=f"draft.{kind}")
        model = reply.model
        prompt_tokens += reply.prompt_tokens or 0
        completion_tokens += reply.completion_tokens or 0
        restored = redactor.restore(reply.text) if redactor else reply.text
        text = parse_draft_reply(restored, fallback_subject=fallback_subject)
        report = check_grounding([("subject", text.subject), ("body", text.body)], index)
        outcome = (text, report)
        logger.info(
            "draft attempt checked",
            extra={
                "account_id": pack.account_id,
                "draft_kind": kind,
                "attempt": attempt,
                "verified": report.verified,
                "unsupported_claims": len(report.unsupported),
                "claims_checked": report.checked,
                "facts_dropped": len(prompt.dropped),
            },
        )
        if report.verified:
            break
        conversation += [
            ChatMessage("assistant", restored),
            regeneration_message(report.unsupported),
        ]
    assert outcome is not None
    return _Written(
        text=outcome[0],
        report=outcome[1],
        model=model,
        attempts=attempt,
        prompt_tokens=prompt_tokens or None,
        completion_tokens=completion_tokens or None,
    )


def names_to_redact(pack: FactsPack, policy: str, *, asker_csm_id: str | None) -> tuple[str, ...]:
    """The contact names to replace before the LLM under ``CSBOT_REDACT_CONTACT_NAMES``."""
    if policy == "off":
        return ()
    if policy == "except-own" and asker_csm_id and pack.account.csm_id == asker_csm_id:
        return ()
    return tuple(contact.name for contact in pack.contacts if contact.name)


def _redacted(message: ChatMessage, redactor: Redactor | None) -> ChatMessage:
    if redactor is None:
        return message
    return ChatMessage(message.role, redactor.redact(message.content))


def _store(services: Services, result: DraftResult, *, actor: str) -> DraftResult:
    """Save the draft and its audit record in one transaction."""
    unsupported = [claim.label() for claim in result.grounding.unsupported]
    with unit_of_work(services.session_factory) as session:
        row = add_draft(
            session=session,
            account_id=result.account_id,
            kind=result.kind,
            purpose=result.purpose,
            tone=result.tone,
            subject=result.subject,
            body=result.body,
            model=result.model,
            verified=result.verified,
            unsupported=unsupported,
            created_by=actor,
        )
        record_audit(
            session=session,
            actor=actor,
            action="draft.created",
            target=result.account_id,
            detail={
                "draft_id": row.id,
                "kind": result.kind,
                "purpose": result.purpose,
                "tone": result.tone,
                "model": result.model,
                "generator": result.generator,
                "verified": result.verified,
                "unsupported_count": len(unsupported),
                "attempts": result.attempts,
                "prompt_tokens": result.prompt_tokens,
                "completion_tokens": result.completion_tokens,
                "recipient_contact_id": result.recipient.contact_id if result.recipient else None,
                "notes": list(result.notes),
            },
        )
        draft_id = row.id
    logger.info(
        "draft created",
        extra={
            "draft_id": draft_id,
            "account_id": result.account_id,
            "draft_kind": result.kind,
            "draft_model": result.model,
            "generator": result.generator,
            "verified": result.verified,
            "attempts": result.attempts,
            "elapsed_ms": round(result.elapsed_ms, 1),
        },
    )
    return replace(result, draft_id=draft_id)
