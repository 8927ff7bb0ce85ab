"""Free text is varied, fits its category and score, and never breaks a CSV line."""

from __future__ import annotations

import random
import re
import string

import pandas as pd

from bot.sources.demo.texts import CATEGORIES, TextComposer
from bot.sources.demo.ticket_texts import TICKET_DETAILS, TICKET_ISSUES


def test_demo_tickets_are_genuinely_varied(year_demo):
    tickets = pd.read_csv(year_demo.folder / "tickets.csv", keep_default_na=False)
    assert len(tickets) > 1000
    assert tickets.description.nunique() >= 0.9 * len(tickets)
    assert tickets.subject.nunique() >= 300
    assert tickets.category.nunique() >= 14
    assert not tickets.description.str.contains(r"[{}\n]").any(), "no unfilled slot, one line"
    comments = pd.read_csv(year_demo.folder / "nps.csv", keep_default_na=False).comment
    assert comments.nunique() >= 200
    summaries = pd.read_csv(year_demo.folder / "interactions.csv", keep_default_na=False).summary
    assert summaries.nunique() >= 0.8 * len(summaries)


def test_every_slot_in_every_template_can_be_filled():
    composer = TextComposer(random.Random(11))
    for category in CATEGORIES:
        assert TICKET_ISSUES[category] and category in TICKET_DETAILS
        for tone in (0, 1, 2):
            for _ in range(60):
                subject, body = composer.ticket(
                    category, tone, contact_first="Ann", competitor="Pulsegrid"
                )
                assert subject and body and "{" not in subject + body
                assert subject[0] in string.ascii_uppercase + string.digits


THREAT = re.compile(
    r"not be renewing|renewal|alternatives|other options|patience|unacceptable|worth what we pay"
    r"|Pulsegrid|we'll renew"
)


def test_words_follow_the_mood():
    composer = TextComposer(random.Random(3))

    def bodies(category: str, tone: int) -> list[str]:
        return [
            composer.ticket(category, tone, contact_first="A", competitor="Pulsegrid")[1].replace(
                "renewal forecast", "forecast"
            )
            for _ in range(200)
        ]

    assert sum(bool(THREAT.search(text)) for text in bodies("bug", 2)) > 80
    assert not any(THREAT.search(text) for text in bodies("bug", 0))
    assert not any(THREAT.search(text) for text in bodies("praise", 2)), "praise is never angry"
    detractor = [composer.nps_comment(2, competitor="Pulsegrid") for _ in range(100)]
    promoter = [composer.nps_comment(10, competitor="Pulsegrid") for _ in range(100)]
    assert sum(bool(THREAT.search(text)) for text in detractor) > 30
    assert not any(THREAT.search(text) for text in promoter)
