"""The drafting Block Kit builders on their own: valid views within Slack's limits."""

from __future__ import annotations

import json

from bot.slack.blocks.draft import (
    BODY_BLOCK,
    TONE_BLOCK,
    DraftMetadata,
    DraftModalView,
    build_draft_buttons_block,
    build_draft_copy_message,
    build_draft_error_modal,
    build_draft_loading_modal,
    build_draft_modal,
    parse_draft_button_value,
)
from bot.slack.ids import ActionId
from tests.support.blockcheck import assert_valid_blocks, assert_valid_message, assert_valid_view


def modal_view(**overrides: object) -> DraftModalView:
    values: dict[str, object] = {
        "account_id": "A1",
        "account_name": "Initech <Systems> & Co",
        "kind": "email",
        "purpose": "renewal",
        "tone": "formal",
        "recipient": "Sarah Lee <sarah@initech.com>",
        "subject": "Your renewal",
        "body": "Dear Sarah Lee,\n\nThanks.\n\nKind regards,\nJane",
        "verified": True,
        "claims_checked": 4,
        "unsupported": (),
        "model": "gpt-4o-mini",
        "is_template": False,
        "notes": (),
        "draft_id": 7,
    }
    values.update(overrides)
    return DraftModalView(**values)  # type: ignore[arg-type]


def test_the_email_modal_is_valid_editable_and_escapes_names():
    view = build_draft_modal(modal_view())

    assert_valid_view(view)
    text = json.dumps(view, ensure_ascii=False)
    assert "Initech &lt;Systems&gt; &amp; Co" in text
    assert any(block.get("block_id") == TONE_BLOCK for block in view["blocks"])
    metadata = DraftMetadata.from_json(view["private_metadata"])
    assert (metadata.account_id, metadata.tone, metadata.draft_id) == ("A1", "formal", 7)
    assert "Drafted by gpt-4o-mini · draft #7" in text


def test_an_unverified_draft_leads_with_the_warning():
    view = build_draft_modal(modal_view(verified=False, unsupported=("$150,000", "Bob Smith")))

    first_two = json.dumps(view["blocks"][:2], ensure_ascii=False)
    assert "Not verified." in first_two and "`$150,000`, `Bob Smith`" in first_two


def test_a_body_too_long_to_edit_is_shown_read_only_in_sections():
    long_body = "\n\n".join(f"• Fact number {n} about the account." * 8 for n in range(30))
    view = build_draft_modal(modal_view(kind="summary", body=long_body, tone=None))

    assert_valid_view(view)
    assert not any(block.get("block_id") in (BODY_BLOCK, TONE_BLOCK) for block in view["blocks"])
    assert "Too long to edit in Slack" in json.dumps(view, ensure_ascii=False)


def test_loading_error_copy_and_buttons_are_valid():
    assert_valid_view(build_draft_loading_modal("Acme", kind="email"))
    assert_valid_view(build_draft_error_modal("No account named “x”"))
    text, blocks = build_draft_copy_message(
        account_name="Acme",
        subject="Hi",
        body="Body *with* <markup>",
        verified=False,
        claims_checked=2,
        unsupported=("$9",),
    )
    assert_valid_message({"text": text, "blocks": blocks})
    assert "NOT VERIFIED" in text and "&lt;markup&gt;" in json.dumps(blocks)
    assert_valid_blocks([build_draft_buttons_block("A1")])


def test_button_values_name_an_account_or_a_cta():
    block = build_draft_buttons_block("ACC-1")
    email = next(e for e in block["elements"] if e["action_id"] == ActionId.DRAFT_EMAIL)

    assert parse_draft_button_value(email["value"]).account_id == "ACC-1"
    assert parse_draft_button_value("42").cta_id == 42
    assert parse_draft_button_value("ACC-9").account_id == "ACC-9"
