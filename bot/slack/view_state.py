"""What a person entered in a submitted modal: ``view.state.values`` read one input at a time.

Slack nests each input under its block id and action id, and the value's key depends
on the element (``value`` for text, ``selected_option`` for menus and radio buttons,
``selected_date`` for date pickers); an input left empty may be missing entirely.
"""

from __future__ import annotations

from typing import Any


def view_value(view: dict[str, Any], block_id: str, action_id: str) -> str | None:
    """The entered or chosen value of one input, or None when there is none."""
    values = (view.get("state") or {}).get("values") or {}
    element = (values.get(block_id) or {}).get(action_id) or {}
    if "selected_option" in element:
        return (element.get("selected_option") or {}).get("value")
    if "selected_date" in element:
        return element.get("selected_date")
    value = element.get("value")
    return None if value is None else str(value)
