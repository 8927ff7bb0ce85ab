"""Signals read straight from the text: a survey score quoted in a note or comment.

"NPS 3: support is slow" and "10 - best tool we bought" carry a number that a
sentence model mostly ignores but a CSM reads first. Turning it into the same
signal names account data produces (``nps_detractor`` / ``nps_promoter``) lets
retrieval treat a quoted score like a stored one.
"""

from __future__ import annotations

import re

# "NPS 3", "score: 2", "scored 6", "gave us a 0", "rated us 9", "1/10", "10 -", "9." at the start.
_NOT_A_SCORE = r"(?!\s*(?:%|percent|points?|days?|weeks?|months?|seats?|users?|tickets?))"
_KEYWORD_SCORE = re.compile(
    r"\b(?:nps|score[ds]?)\s*(?:of\s+|was\s+|is\s+|[:=]\s*)?(\d{1,2})\b" + _NOT_A_SCORE,
    re.IGNORECASE,
)
# "gave us a 0", "got a 4", "rated us 9" only count when the text is about a survey.
_VERB_SCORE = re.compile(
    r"\b(?:rated(?:\s+us)?|gave\s+(?:us\s+)?(?:a\s+)?|got\s+a)\s*(\d{1,2})\b" + _NOT_A_SCORE,
    re.IGNORECASE,
)
_SURVEY_WORDS = re.compile(r"\b(?:survey|nps|rating|review|feedback)\b", re.IGNORECASE)
_OUT_OF_TEN = re.compile(r"\b(\d{1,2})\s*/\s*10\b")
_LEADING_SCORE = re.compile(r"^\s*(\d{1,2})\s*(?:[-–—:.)]|/10)(?!\d)")
_CSAT = re.compile(r"\bcsat\b[^.\d]{0,40}?\b([1-5])\b", re.IGNORECASE)


def quoted_nps_score(text: str) -> int | None:
    """The 0-10 survey score a text quotes, if it quotes one."""
    patterns = [_KEYWORD_SCORE, _OUT_OF_TEN, _LEADING_SCORE]
    if _SURVEY_WORDS.search(text):
        patterns.insert(1, _VERB_SCORE)
    for pattern in patterns:
        match = pattern.search(text)
        if match:
            value = int(match.group(1))
            if 0 <= value <= 10:
                return value
    return None


def signals_from_text(text: str) -> frozenset[str]:
    """Account-signal names implied by the text itself."""
    signals: set[str] = set()
    score = quoted_nps_score(text)
    if score is not None:
        if score <= 6:
            signals.add("nps_detractor")
        elif score >= 9:
            signals.add("nps_promoter")
    csat = _CSAT.search(text)
    if csat and int(csat.group(1)) <= 2:
        signals.add("nps_detractor")
    return frozenset(signals)
