"""What csbot can answer, as example questions: the help list and "the closest three".

Without an LLM, a question no rule understood gets "I can't answer that yet" and
the three examples nearest to it by shared words (keywords count too), never an
answer to a different question.
"""

from __future__ import annotations

from difflib import SequenceMatcher

from bot.services.accounts.names import normalise
from bot.services.answers.vocabulary import FUNCTION_WORDS

# (example, extra words that mean the same thing)
CATALOGUE: tuple[tuple[str, str], ...] = (
    ("How is {account} doing?", "overview status summary card 360 update"),
    ("Why did {account}'s health change?", "drop score drivers worse declined reason"),
    ("When does {account} renew?", "renewal contract end expire date"),
    ("Renewals next quarter", "renewing contracts expiring upcoming month january"),
    ("My red accounts", "at risk yellow green band trouble churn"),
    ("Open tickets for {account}", "support issues cases bugs incidents"),
    ("What are customers complaining about?", "themes complaints pain points topics"),
    ("Who is the champion at {account}?", "contacts people stakeholder sponsor email"),
    ("What is our ARR at risk?", "revenue money dollars value worth"),
    ("Usage trend for {account}", "logins active users adoption seats engagement"),
    ("What's our NPS?", "survey promoters detractors satisfaction score"),
    ("Biggest health drops this week", "declines fell worse movers month"),
    ("Top 5 accounts by ARR", "largest biggest bottom rank highest lowest seats health"),
    ("Expansion opportunities", "upsell grow growth cross sell upgrade"),
    ("Overdue invoices", "failed payments billing unpaid owe late"),
    ("Accounts with no contact in 30 days", "quiet neglected untouched silent touch"),
    ("Churned accounts last quarter", "lost cancelled left reasons logos"),
    ("Which CSM has the most red accounts?", "team rep owner breakdown manager book"),
    ("What should I work on today?", "priorities focus plate tasks ctas follow ups"),
    ("Open escalations", "escalated sla severity"),
    ("Draft a renewal email to {account}", "write compose outreach message letter"),
    ("Summarize {account} for my QBR", "brief prep business review deck"),
    ("When did we last talk to {account}?", "last call meeting touch interaction qbr"),
    ("Compare {account} and {other}", "versus vs side by side difference"),
    ("Who am I?", "role access permissions login"),
    ("What should I do about {account}?", "next steps playbook recommend ctas"),
)
SHOWN = 3


def _words(text: str) -> set[str]:
    return {w for w in normalise(text).split() if w not in FUNCTION_WORDS}


def closest_questions(text: str, *, account: str = "Acme", other: str = "Globex") -> list[str]:
    """The ``SHOWN`` example questions nearest to ``text``, filled with real names."""
    asked = _words(text)
    said = normalise(text)

    def score(entry: tuple[str, str]) -> tuple[float, float]:
        example, extra = entry
        vocabulary = _words(example.format(account="", other="")) | _words(extra)
        overlap = len(asked & vocabulary) / (len(asked) or 1)
        return overlap, SequenceMatcher(None, said, normalise(example)).ratio()

    ranked = sorted(CATALOGUE, key=score, reverse=True)
    return [example.format(account=account, other=other) for example, _ in ranked[:SHOWN]]
