"""Does a ticket say the customer may leave? A small phrase check, for the drafter only.

This is a stop-gap: the knowledge layer is getting a per-ticket churn-intent signal
(detected and stored per ticket). Until the drafter reads that signal, it asks this
module, which looks for a short, documented list of phrases customers use when they
mean to leave. Replace the body of :func:`is_churn_intent` (keep its name and
signature) with the knowledge layer's detector when it lands.

The phrases, grouped by what they say:

- cancelling: "how do we cancel", "cancellation process", "cancel our subscription",
  "planning to cancel" (not a cancelled job or meeting, nor a "cancel" button);
- not renewing: "not renewing", "decided not to renew", "notice of non-renewal";
- terminating: "terminate the contract", "termination notice", "end the subscription",
  "winding down our use";
- leaving for a rival: "switch to <Vendor>" / "switching to another vendor", "evaluating
  <Vendor>", "trial of <Vendor>", "evaluating alternatives", "other vendors",
  "considering other options", "competitor";
- cutting spend: "cutting tools", "cut tools for next year", "our budget was cut";
- taking data out: "full (data) export", "complete export of our data/workspace",
  "moving/migrate our data out".

Precision over recall: an email that opens with "I saw you asked how to cancel" to a
customer who did not is worse than a missed cue, so each phrase is specific.
"""

from __future__ import annotations

import re

# Matched against the text in lower case.
_CUES = re.compile(
    r"|".join(
        (
            r"\b(?:how\s+(?:do|can|would)\s+(?:we|i)|want\s+to|plan(?:ning)?\s+to|going\s+to"
            r"|decided\s+to|we'll|we\s+will|or)\s+cancel\b",
            r"\bcancel(?:l?ing)?\s+(?:our|the|my)?\s*(?:subscription|contract|account|plan)\b",
            r"\bcancell?ation\b(?!\s+of\s+(?:the\s+)?(?:job|export|import|sync|meeting|call))",
            r"\b(?:process\s+for|budget\s+cuts?\W+)\s*cancell?ing\b",
            r"\bbudget\b[^.?!]{0,30}\b(?:was|has\s+been|got)\s+cut\b",
            r"\bnot\s+(?:be\s+)?renew(?:ing)?\b",
            r"\b(?:won't|will\s+not|don't|do\s+not|decided\s+not\s+to)\s+renew\b",
            r"\bnon-?renewal\b",
            r"\bterminat(?:e|ing|ion)\s+(?:of\s+)?(?:the|our|my)?\s*"
            r"(?:contract|subscription|agreement|account)\b",
            r"\btermination\s+notice\b|\bnotice\s+of\s+termination\b",
            r"\bend(?:ing)?\s+(?:the|our)\s+(?:contract|subscription|agreement)\b",
            r"\bwinding\s+down\s+our\s+use\b",
            r"\bswitch(?:ing)?\s+(?:over\s+)?to\s+(?:another|a\s+different|a\s+new|an?\s+other)"
            r"\s+(?:vendor|provider|tool|platform|solution)\b",
            r"\bevaluating\s+(?:other|alternative|another|competing)\b",
            r"\b(?:considering|looking\s+at)\s+(?:other\s+options|alternatives)\b",
            r"\balternatives?\s+to\s+you\b|\bversus\s+alternatives\b",
            r"\b(?:other|another)\s+vendors?\b",
            r"\bcompetitors?\b",
            r"\bcut(?:ting)?\s+(?:\w+\s+)?tools\b",
            r"\b(?:full|complete)\s+(?:data\s+)?export\b",
            r"\bexport\s+of\s+(?:all\s+)?our\s+(?:data|workspace)\b",
            r"\b(?:move|moving|migrate|migrating)\s+our\s+data\s+out\b",
        )
    )
)
# "switch to Zendora", "evaluating Zendora" name a rival: a capitalised word, so these are
# matched case-sensitively.
_RIVAL_NAMED = re.compile(
    r"\b(?:[Ss]witch(?:ing)?\s+(?:over\s+)?to|[Ee]valuating|[Tt]rial(?:l?ing)?\s+of)\s+[A-Z][\w-]+"
)
_NOT_A_RIVAL = frozenset(
    {"The", "A", "An", "Our", "Your", "This", "That", "Dark", "Light", "SSO", "API", "V2"}
)


def is_churn_intent(text: str) -> bool:
    """True when ``text`` (a ticket's subject and body) says the customer may leave."""
    if not text:
        return False
    if _CUES.search(text.lower()):
        return True
    return any(
        match.group().split()[-1] not in _NOT_A_RIVAL for match in _RIVAL_NAMED.finditer(text)
    )
