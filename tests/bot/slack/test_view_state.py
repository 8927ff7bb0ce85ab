"""Reading one input of a submitted modal, whatever element it is and however empty."""

from __future__ import annotations

from bot.slack.view_state import view_value

VIEW = {
    "state": {
        "values": {
            "text": {"text_input": {"type": "plain_text_input", "value": "Late renewal"}},
            "menu": {"menu_choice": {"type": "static_select", "selected_option": {"value": "1w"}}},
            "unpicked": {"menu_choice": {"type": "static_select", "selected_option": None}},
            "date": {"date_choice": {"type": "datepicker", "selected_date": "2026-06-30"}},
            "blank": {"text_input": {"type": "plain_text_input", "value": None}},
        }
    }
}


def test_each_element_kind_gives_its_value() -> None:
    assert view_value(VIEW, "text", "text_input") == "Late renewal"
    assert view_value(VIEW, "menu", "menu_choice") == "1w"
    assert view_value(VIEW, "date", "date_choice") == "2026-06-30"


def test_missing_or_empty_inputs_are_none() -> None:
    assert view_value(VIEW, "unpicked", "menu_choice") is None
    assert view_value(VIEW, "blank", "text_input") is None
    assert view_value(VIEW, "absent", "text_input") is None
    assert view_value(VIEW, "text", "other_action") is None
    assert view_value({}, "text", "text_input") is None
    assert view_value({"state": None}, "text", "text_input") is None
