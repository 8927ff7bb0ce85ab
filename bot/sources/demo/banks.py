"""The demo's name and phrase banks, read once from package data (``data/*.json``).

The banks are thousands of lines of words and sentences, not logic: as JSON they
can be reviewed and extended without touching the generator's code, and the
modules that draw from them stay small. Lists load as tuples, so a bank reads
(and is drawn from, in the same order) exactly like the literals it replaced,
and the same seed still yields the same demo bytes.
"""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from typing import Any


def _frozen(value: Any) -> Any:
    """JSON lists become tuples (recursively); objects stay dicts in file order."""
    if isinstance(value, list):
        return tuple(_frozen(item) for item in value)
    if isinstance(value, dict):
        return {key: _frozen(item) for key, item in value.items()}
    return value


@cache
def bank(name: str) -> dict[str, Any]:
    """The bank ``data/<name>.json`` as a dict of tuples; loaded on first use only."""
    text = files("bot.sources.demo").joinpath("data", f"{name}.json").read_text(encoding="utf-8")
    return _frozen(json.loads(text))
