"""Block Kit for drafting: the draft modal, its "drafting…" state, the DM copy, the buttons.

The modal shows the grounding verdict above the text, so a draft with unverified
claims is never presented as clean: a warning names each claim, and the claims are
also marked inside the text itself. Builders are pure: plain values in, dicts out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.slack.blocks import context_line, mrkdwn_sections
from bot.slack.formatting import escape_mrkdwn, markdown_to_mrkdwn, truncate
from bot.slack.ids import ActionId, CallbackId

SUBJECT_BLOCK, SUBJECT_ACTION = "draft_subject", "draft_subject_text"
BODY_BLOCK, BODY_ACTION = "draft_body", "draft_body_text"
TONE_BLOCK, TONE_ACTION = "draft_tone", "draft_tone_choice"
ACTIONS_BLOCK = "draft_actions"
DRAFT_BUTTONS_BLOCK = "draft_buttons"
INPUT_MAX_CHARS = 3000  # Slack's limit for a plain_text_input value
SUBJECT_MAX_CHARS = 250
TONE_LABELS = {"friendly": "Friendly", "formal": "Formal", "urgent": "Urgent"}
KIND_TITLES = {"email": "Draft email", "summary": "Account summary"}
UNVERIFIED_NOTE_END = "Check them before sending."  # the drafting service's own warning


@dataclass(frozen=True, slots=True)
class DraftModalView:
    """What the modal shows about one draft: plain values (``DraftResult.modal_view()``)."""

    account_id: str
    account_name: str
    kind: str
    purpose: str | None
    tone: str | None
    recipient: str | None
    subject: str
    body: str
    verified: bool
    claims_checked: int
    unsupported: tuple[str, ...]
    model: str
    is_template: bool
    notes: tuple[str, ...]
    draft_id: int | None


@dataclass(frozen=True, slots=True)
class DraftMetadata:
    """What the modal carries between clicks (Slack's ``private_metadata``)."""

    account_id: str
    kind: str
    purpose: str | None
    tone: str | None
    draft_id: int | None = None
    account_name: str = ""

    def to_json(self) -> str:
        return json.dumps(
            {
                "n": self.account_name[:200],
                "a": self.account_id,
                "k": self.kind,
                "p": self.purpose,
                "t": self.tone,
                "d": self.draft_id,
            }
        )

    @classmethod
    def from_json(cls, text: str | None) -> DraftMetadata:
        data = json.loads(text or "{}")
        return cls(
            account_id=str(data.get("a") or ""),
            kind=str(data.get("k") or "email"),
            purpose=data.get("p"),
            tone=data.get("t"),
            draft_id=data.get("d"),
            account_name=str(data.get("n") or ""),
        )


# --------------------------------------------------------------------------- modals
def build_draft_loading_modal(
    label: str, *, kind: str, metadata: DraftMetadata | None = None
) -> dict[str, Any]:
    """The "drafting…" state, shown at once (the trigger id lives 3 s) and on Regenerate."""
    who = escape_mrkdwn(truncate(label, 200))
    blocks = [
        SectionBlock(
            text=MarkdownTextObject(text=f":hourglass_flowing_sand: Drafting for *{who}*…")
        ).to_dict(),
        context_line("Reading the account's facts and checking every figure, date and name."),
    ]
    return _modal(kind, blocks, metadata=metadata, submit=None)


def build_draft_error_modal(message: str, *, kind: str = "email") -> dict[str, Any]:
    blocks = mrkdwn_sections(f":warning: {escape_mrkdwn(message)}")
    return _modal(kind, blocks, metadata=None, submit=None)


def build_draft_modal(view: DraftModalView) -> dict[str, Any]:
    """The editable draft: verdict, subject, body, tone, Regenerate; submit DMs a copy."""
    blocks: list[dict[str, Any]] = [
        SectionBlock(text=MarkdownTextObject(text=_headline(view))).to_dict()
    ]
    blocks.append(_verdict_block(view.verified, view.claims_checked, view.unsupported))
    blocks += [context_line(escape_mrkdwn(note)) for note in view.notes]
    blocks.append(
        InputBlock(
            block_id=SUBJECT_BLOCK,
            label="Subject" if view.kind == "email" else "Title",
            element=PlainTextInputElement(
                action_id=SUBJECT_ACTION,
                initial_value=truncate(view.subject, SUBJECT_MAX_CHARS),
                max_length=SUBJECT_MAX_CHARS,
            ),
        ).to_dict()
    )
    if len(view.body) <= INPUT_MAX_CHARS:
        blocks.append(
            InputBlock(
                block_id=BODY_BLOCK,
                label="Body" if view.kind == "email" else "Brief",
                element=PlainTextInputElement(
                    action_id=BODY_ACTION,
                    initial_value=view.body,
                    multiline=True,
                    max_length=INPUT_MAX_CHARS,
                ),
            ).to_dict()
        )
    else:
        blocks += mrkdwn_sections(markdown_to_mrkdwn(view.body), block_id_prefix="draft_text")
        blocks.append(
            context_line("Too long to edit in Slack; *Send me a copy* sends the full text.")
        )
    if view.kind == "email":
        options = [Option(value=value, label=label) for value, label in TONE_LABELS.items()]
        initial = next((o for o in options if o.value == view.tone), options[0])
        blocks.append(
            InputBlock(
                block_id=TONE_BLOCK,
                label="Tone (used by Regenerate)",
                element=StaticSelectElement(
                    action_id=TONE_ACTION, options=options, initial_option=initial
                ),
            ).to_dict()
        )
    blocks.append(
        ActionsBlock(
            block_id=ACTIONS_BLOCK,
            elements=[
                ButtonElement(
                    text="Regenerate", action_id=ActionId.DRAFT_REGENERATE, value=view.account_id
                )
            ],
        ).to_dict()
    )
    made_by = "Template draft" if view.is_template else f"Drafted by {escape_mrkdwn(view.model)}"
    reference = f" · draft #{view.draft_id}" if view.draft_id else ""
    blocks.append(context_line(f"{made_by}{reference} · nothing is sent to the customer"))
    metadata = DraftMetadata(
        account_id=view.account_id,
        kind=view.kind,
        purpose=view.purpose,
        tone=view.tone,
        draft_id=view.draft_id,
        account_name=view.account_name,
    )
    return _modal(view.kind, blocks, metadata=metadata, submit="Send me a copy")


def _modal(
    kind: str, blocks: list[dict[str, Any]], *, metadata: DraftMetadata | None, submit: str | None
) -> dict[str, Any]:
    view = View(
        type="modal",
        callback_id=CallbackId.DRAFT_MODAL.value,
        title=KIND_TITLES.get(kind, "Draft"),
        close="Close",
        submit=submit,
        private_metadata=metadata.to_json() if metadata else None,
        blocks=blocks,
    )
    return view.to_dict()


def _headline(view: DraftModalView) -> str:
    name = escape_mrkdwn(view.account_name)
    if view.kind == "summary":
        return f"*Account brief for {name}*"
    who = f" to {escape_mrkdwn(view.recipient)}" if view.recipient else ""
    purpose = f" · {view.purpose}" if view.purpose else ""
    return f"*Email{who}* at {name}{purpose}"


def _verdict_block(verified: bool, checked: int, unsupported: tuple[str, ...]) -> dict[str, Any]:
    if verified:
        return context_line(
            f":white_check_mark: All {checked} figures, dates and names match the store."
        )
    claims = ", ".join(f"`{escape_mrkdwn(truncate(claim, 80))}`" for claim in unsupported[:10])
    text = (
        f":warning: *Not verified.* {len(unsupported)} claim(s) could not be matched to the "
        f"store and are marked `[unverified: …]` in the text: {claims}. "
        "Check them before sending."
    )
    return SectionBlock(text=MarkdownTextObject(text=truncate(text, 3000))).to_dict()


# --------------------------------------------------------------------------- the DM copy
def build_draft_copy_message(
    *,
    account_name: str,
    subject: str,
    body: str,
    verified: bool,
    claims_checked: int,
    unsupported: tuple[str, ...],
) -> tuple[str, list[dict[str, Any]]]:
    """The copy a CSM sends themselves: subject, body, and the (re-checked) verdict."""
    fallback = f"Draft for {account_name}: {subject}"
    blocks: list[dict[str, Any]] = [
        SectionBlock(
            text=MarkdownTextObject(
                text=f"*Draft for {escape_mrkdwn(account_name)}*\n*Subject:* "
                f"{escape_mrkdwn(truncate(subject, SUBJECT_MAX_CHARS))}"
            )
        ).to_dict(),
        _verdict_block(verified, claims_checked, unsupported),
    ]
    blocks += mrkdwn_sections(markdown_to_mrkdwn(body), block_id_prefix="draft_copy")
    blocks.append(context_line("A copy from csbot: nothing was sent to the customer."))
    if not verified:
        fallback += " (NOT VERIFIED: check the marked claims)"
    return fallback, blocks[:50]


# --------------------------------------------------------------------------- buttons
def build_draft_buttons_block(account_id: str) -> dict[str, Any]:
    """ "Draft email" and "Summarize" for one account (added under account answers)."""
    return ActionsBlock(
        block_id=DRAFT_BUTTONS_BLOCK,
        elements=[
            ButtonElement(
                text="Draft email",
                action_id=ActionId.DRAFT_EMAIL,
                value=email_button_value(account_id),
            ),
            ButtonElement(text="Summarize", action_id=ActionId.DRAFT_SUMMARY, value=account_id),
        ],
    ).to_dict()


def email_button_value(account_id: str, purpose: str | None = None) -> str:
    """A "Draft email" value for an account; CTA alerts use the bare CTA id instead."""
    return json.dumps({"account_id": account_id, "purpose": purpose})


@dataclass(frozen=True, slots=True)
class DraftButtonValue:
    account_id: str | None
    cta_id: int | None
    purpose: str | None


def parse_draft_button_value(value: str | None) -> DraftButtonValue:
    """Read a "Draft email" value: a CTA id (CTA alerts) or an account (answers)."""
    text = (value or "").strip()
    if text.isdigit():
        return DraftButtonValue(account_id=None, cta_id=int(text), purpose=None)
    try:
        data = json.loads(text) if text.startswith("{") else {"account_id": text}
    except json.JSONDecodeError:
        data = {"account_id": text}
    return DraftButtonValue(
        account_id=str(data.get("account_id") or "") or None,
        cta_id=None,
        purpose=data.get("purpose"),
    )
