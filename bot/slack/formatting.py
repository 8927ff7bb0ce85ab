"""How text and figures read in Slack: escaped, cut to Block Kit's limits, numbers alike.

One module so an answer, the App Home, alerts, the digest, the terminal and the tests
that check answers against the store all escape, cut and print a number the same way
(money always through ``bot.money``, the one formatter, in the team's locale).

User and LLM text can contain ``&``, ``<`` and ``>``, which Slack reads as control
sequences (``<!channel>`` pings everyone); those three, and only those, must be
escaped. Section text is capped at 3,000 characters, so long answers are split on
paragraph, line or word boundaries rather than cut mid-word.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal

from bot.money import format_money

SECTION_TEXT_LIMIT = 3000
"""Block Kit: ``section.text`` and ``context`` mrkdwn text (slack_sdk SectionBlock)."""

_MENTION = re.compile(r"<@([UWB][A-Z0-9]+)(?:\|[^>]*)?>")
_MD_LINK = re.compile(r"\[([^\]\n]+)\]\((https?://[^)\s]+)\)")
_MD_BOLD = re.compile(r"\*\*(.+?)\*\*|__(.+?)__")
_MD_STRIKE = re.compile(r"~~(.+?)~~")
_MD_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*$", re.MULTILINE)
_MD_BULLET = re.compile(r"^(\s*)[-*]\s+", re.MULTILINE)


def escape_mrkdwn(text: str) -> str:
    """Escape ``&``, ``<`` and ``>`` so text shows literally and cannot ping or link."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def user_mention(slack_user_id: str) -> str:
    return f"<@{slack_user_id}>"


def channel_mention(channel_id: str) -> str:
    return f"<#{channel_id}>"


def link(url: str, label: str) -> str:
    """A mrkdwn link whose label cannot break out of the ``<url|label>`` syntax."""
    return f"<{url}|{escape_mrkdwn(label)}>"


def strip_user_mention(text: str, slack_user_id: str | None) -> str:
    """Remove mentions of ``slack_user_id`` (the bot) and tidy the spaces they leave."""
    if not slack_user_id:
        return text.strip()

    def _drop(match: re.Match[str]) -> str:
        return "" if match.group(1) == slack_user_id else match.group(0)

    return re.sub(r"\s{2,}", " ", _MENTION.sub(_drop, text)).strip()


def mentions_user(text: str, slack_user_id: str | None) -> bool:
    return bool(slack_user_id) and any(m.group(1) == slack_user_id for m in _MENTION.finditer(text))


def clip(text: str, limit: int) -> str:
    """Cut to exactly ``limit`` characters at most (Block Kit's hard field limits)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def truncate(text: str, limit: int, *, ellipsis: str = "…") -> str:
    """Cut ``text`` to at most ``limit`` characters, marking the cut."""
    if len(text) <= limit:
        return text
    return text[: max(limit - len(ellipsis), 0)].rstrip() + ellipsis


def split_text(text: str, limit: int = SECTION_TEXT_LIMIT) -> list[str]:
    """Split ``text`` into chunks of at most ``limit`` characters.

    Prefers paragraph breaks, then line breaks, then spaces; a single word longer
    than ``limit`` is cut hard. Joining the chunks with the separators that were
    consumed gives back the original text modulo whitespace at the cuts.
    """
    if limit < 1:
        raise ValueError("limit must be positive")
    chunks: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        window = rest[: limit + 1]
        cut = -1
        for separator in ("\n\n", "\n", " "):
            cut = window.rfind(separator)
            if cut > 0:
                break
        if cut <= 0:
            cut = limit
        chunks.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest or not chunks:
        chunks.append(rest)
    return chunks


def markdown_to_mrkdwn(text: str) -> str:
    """Convert the Markdown an LLM writes into Slack mrkdwn, escaping everything else.

    Links become ``<url|label>``, ``**bold**`` becomes ``*bold*``, ``~~x~~`` becomes
    ``~x~``, headings become bold lines and ``-``/``*`` bullets become ``•``.
    """
    links: list[str] = []

    def _stash_link(match: re.Match[str]) -> str:
        links.append(link(match.group(2), match.group(1)))
        return f"\x00{len(links) - 1}\x00"

    converted = _MD_LINK.sub(_stash_link, text)
    converted = escape_mrkdwn(converted)
    converted = _MD_HEADING.sub(lambda m: f"*{m.group(1)}*", converted)
    converted = _MD_BULLET.sub(lambda m: f"{m.group(1)}• ", converted)
    converted = _MD_BOLD.sub(lambda m: f"*{m.group(1) or m.group(2)}*", converted)
    converted = _MD_STRIKE.sub(lambda m: f"~{m.group(1)}~", converted)
    return re.sub(r"\x00(\d+)\x00", lambda m: links[int(m.group(1))], converted)


# ----------------------------------------------------------------------------- figures
BAND_EMOJI = {"red": "🔴", "yellow": "🟡", "green": "🟢"}
MINUS = "−"


def money(amount: Decimal | float | int | None, currency: str = "USD") -> str:
    """``$120,000`` (cents only when there are any), in the team's locale (``bot.money``)."""
    if amount is None:
        return "not recorded"
    return format_money(amount, currency)


def score(value: float | None) -> str:
    """Health scores to one decimal place at most ("72" or "71.5")."""
    if value is None:
        return "n/a"
    rounded = round(float(value), 1)
    return f"{rounded:.0f}" if rounded == int(rounded) else f"{rounded:.1f}"


def signed(value: float | None, *, unit: str = "") -> str:
    """``+5``, ``−3.5`` (a real minus sign), ``±0``."""
    if value is None:
        return "n/a"
    rounded = round(float(value), 1)
    if rounded == 0:
        return f"±0{unit}"
    text = score(abs(rounded))
    return f"{'+' if rounded > 0 else MINUS}{text}{unit}"


def nps(value: float | None) -> str:
    """Net Promoter Score as the whole number people quote: ``+20``, ``−33``."""
    if value is None:
        return "n/a"
    return signed(float(round(value)))


def percent(fraction: float | None, *, signed_value: bool = False) -> str:
    """A fraction as a whole percentage: 0.42 → ``42%`` (``+42%`` when signed)."""
    if fraction is None:
        return "n/a"
    value = round(fraction * 100)
    if signed_value:
        if value == 0:
            return "±0%"
        return f"{'+' if value > 0 else MINUS}{abs(value)}%"
    return f"{value}%"


def change_fraction(now: float | None, before: float | None) -> float | None:
    """Relative change from ``before`` to ``now``; None when there is no base to compare."""
    if now is None or before is None or before == 0:
        return None
    return (now - before) / before


def day(value: date | datetime | None) -> str:
    """``3 Mar 2025``: unambiguous in every locale."""
    if value is None:
        return "unknown"
    if isinstance(value, datetime):
        value = value.date()
    return f"{value.day} {value:%b %Y}"


def moment(value: datetime) -> str:
    """``3 Mar 2025 14:05 UTC``."""
    return f"{day(value)} {value:%H:%M} {value.tzname() or 'UTC'}"


def days_until(target: date, today: date) -> str:
    """``in 45 days``, ``today``, ``12 days ago``."""
    delta = (target - today).days
    if delta == 0:
        return "today"
    if delta == 1:
        return "tomorrow"
    if delta > 0:
        return f"in {delta} days"
    return f"{-delta} day{'s' if delta != -1 else ''} ago"


def age(elapsed: timedelta) -> str:
    """How old data is, in the largest sensible unit: ``5 min``, ``3 h``, ``2 days``."""
    seconds = max(int(elapsed.total_seconds()), 0)
    if seconds < 3600:
        return f"{max(seconds // 60, 0)} min"
    if seconds < 48 * 3600:
        return f"{seconds // 3600} h"
    return f"{seconds // 86400} days"


def band_label(band: str | None) -> str:
    """``🔴 red``; unscored accounts say so instead of guessing."""
    if not band:
        return "⚪ not scored"
    return f"{BAND_EMOJI.get(band, '⚪')} {band}"


def plural(count: int, noun: str, plural_noun: str | None = None) -> str:
    return f"{count} {noun if count == 1 else (plural_noun or noun + 's')}"


def seats_used_text(avg_active_users: float, licensed_seats: int) -> str:
    """``164.3 of 180 seats (91%)``: the glossary's seats used, read the same on the card,
    in CTA texts and in the health driver ("164.3 of 180 licensed seats active …")."""
    return (
        f"{avg_active_users:,.1f} of {licensed_seats:,} seats "
        f"({percent(avg_active_users / licensed_seats)})"
    )
