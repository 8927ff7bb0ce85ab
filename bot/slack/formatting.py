"""Text that is safe to put in Slack mrkdwn, and cut to fit Block Kit's limits.

User and LLM text can contain ``&``, ``<`` and ``>``, which Slack reads as control
sequences (``<!channel>`` pings everyone); those three, and only those, must be
escaped. Section text is capped at 3,000 characters, so long answers are split on
paragraph, line or word boundaries rather than cut mid-word.
"""

from __future__ import annotations

import re

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
