"""The deterministic question parser: intent, account, scope and date window.

Rules are ordered regular expressions over the normalised question, so the same
words always mean the same thing and a failing phrasing can be fixed by adding
a rule and a test. The account is found first (a known name said verbatim,
suffixes aside), and its words are taken out before the rules run, so an
account called "Renewal Partners" does not turn every question into a
renewal question. What is left after removing question words becomes the
account phrase for fuzzy matching, or, for "what should I do about …", the
topic for playbook retrieval.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from bot.services.accounts.names import Mention, normalise, word_set
from bot.services.accounts.viewers import RequestedScope
from bot.services.answers.dates import DateWindow, parse_date_window
from bot.services.metrics.glossary import find_metric


class Intent(StrEnum):
    HELP = "help"
    ACCOUNT_OVERVIEW = "account_overview"
    HEALTH = "health"
    HEALTH_CHANGE = "health_change"
    RENEWAL_DATE = "renewal_date"
    RENEWALS = "renewals"
    ACCOUNTS = "accounts"
    AT_RISK = "at_risk"
    USAGE = "usage"
    TICKETS = "tickets"
    THEMES = "themes"
    CONTACTS = "contacts"
    NPS = "nps"
    ARR = "arr"
    ARR_AT_RISK = "arr_at_risk"
    BAND_CHANGES = "band_changes"
    NEXT_STEPS = "next_steps"
    METRIC_DEFINITION = "metric_definition"  # "what does ARR at risk mean?" (the glossary)


# Intents that are about one account and make no sense without one.
ACCOUNT_ONLY = frozenset(
    {
        Intent.ACCOUNT_OVERVIEW,
        Intent.RENEWAL_DATE,
        Intent.USAGE,
        Intent.CONTACTS,
    }
)
# Intents with both an account form and a portfolio form.
EITHER = frozenset(
    {
        Intent.HEALTH,
        Intent.HEALTH_CHANGE,
        Intent.TICKETS,
        Intent.THEMES,
        Intent.NPS,
        Intent.ARR,
        Intent.NEXT_STEPS,
    }
)
# Intents whose vocabulary is all in STOPWORDS, so any word left over is meant as an
# account name: one that matches nothing the viewer may see is "not found", never
# quietly answered about the viewer's own book instead.
LEFTOVER_IS_A_NAME = frozenset({Intent.THEMES})
# Portfolio intents and what they mean when an account is named anyway.
ACCOUNT_FORM_OF = {
    Intent.RENEWALS: Intent.RENEWAL_DATE,
    Intent.BAND_CHANGES: Intent.HEALTH_CHANGE,
    Intent.AT_RISK: Intent.HEALTH,
    Intent.ACCOUNTS: Intent.ACCOUNT_OVERVIEW,
    Intent.ARR_AT_RISK: Intent.ARR,
}


def _rule(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns))


# Ordered: the first matching rule wins. Patterns see normalised text
# (lower case, no punctuation, "acme's" → "acme"), padded with spaces.
RULES: list[tuple[Intent, re.Pattern[str]]] = [
    (
        Intent.HELP,
        _rule(
            r"^ (help|commands|menu|hi|hello|hey|thanks|thank you) $",
            r"\bwhat can (you|i) (do|ask)\b",
            r"\bhow (do|does|can) (i|you|this) (use|work)\b",
            r"^ help\b",
        ),
    ),
    (
        # Only when the words name a glossary metric (see _match_intent).
        Intent.METRIC_DEFINITION,
        _rule(
            r"\bwhat (does|do|is meant by|s meant by) .*\b(mean|means|stand for|stands for)\b",
            r"\bwhat (is|s) (a|an) ",  # "what is an NPS detractor" (not "what is acme's nps")
            r"\b(define|definition|meaning|glossary)\b",
            r"\bhow (is|are|do you|do we|does csbot) .*\b(calculated|computed|defined|measured"
            r"|worked out)\b",
        ),
    ),
    (
        Intent.NEXT_STEPS,
        _rule(
            r"\bwhat (should|do|can|must) (i|we) do\b",
            r"\bnext (best )?(steps?|actions?|moves?)\b",
            r"\bwhat to do\b",
            r"\brecommend\w*\b",
            r"\bplaybooks?\b",
            r"\bctas?\b",
            r"\bcalls? to action\b",
            r"\baction items?\b",
            r"\bto ?dos?\b",
            r"\bhow (do|should|can) (i|we) (handle|deal|fix|save|approach|respond|address)\b",
        ),
    ),
    (
        # What tickets are about, as opposed to which tickets are open (TICKETS below).
        Intent.THEMES,
        _rule(
            r"\bcomplain\w*\b",
            r"\b(unhappy|frustrat\w*|upset|annoyed|angry|dissatisfied)\b",
            r"\bpain ?points?\b",
            r"\bgripes?\b",
            r"\bthemes?\b",
            r"\b(top|biggest|common|recurring|frequent) (issues|problems|requests|topics)\b",
            r"\bwhat (are|were) .*\b(tickets|issues|cases) (mostly |mainly )?about\b",
        ),
    ),
    (
        Intent.HEALTH_CHANGE,
        _rule(
            r"\bwhy\b.*\b(health\w*|score|band|red|yellow|green|drop\w*|fell|fall\w*|declin\w*"
            r"|chang\w*|worse|better|improv\w*|down|up|risk\w*|unhealthy)\b",
            r"\bwhat (s |has |have )?chang\w*\b",
            r"\b(explain|break ?down)\b.*\b(health|score|band)\b",
            r"\bwhat (is |s )?(driving|behind)\b",
            r"\bdrivers?\b",
            r"\bhealth (history|trend|change\w*)\b",
        ),
    ),
    (
        Intent.BAND_CHANGES,
        _rule(
            r"\b(which|what|any|who|list|show)\b.*\b(chang\w*|mov\w*|flip\w*|switch\w*|turn\w*"
            r"|went|dropp\w*|slipp\w*|fell|improv\w*|recover\w*)\b.*\b(bands?|red|yellow|green"
            r"|colou?rs?)\b",
            r"\bband chang\w*\b",
            r"\b(turned|went|gone|moved|flipped) (to )?(red|yellow|green)\b",
            r"\b(biggest )?movers?\b",
            r"\bwhat moved\b",
        ),
    ),
    (
        Intent.ARR_AT_RISK,
        _rule(
            r"\b(arr|revenue|money|dollars|value|mrr)\b.*\bat risk\b",
            r"\bat risk (arr|revenue)\b",
            r"\brisk(ed)? (arr|revenue)\b",
        ),
    ),
    (
        Intent.RENEWAL_DATE,
        _rule(
            r"\bwhen (does|do|is|will) (?!my\b|our\b|the team)\w.*\b(renew\w*|contract|expir\w*"
            r"|end)\b",
        ),
    ),
    (
        Intent.RENEWALS,
        _rule(
            r"\brenew\w*\b",
            r"\bcontracts?\b",
            r"\bexpir\w*\b",
            r"\bend date\b",
            r"\b(contract|term) (ends?|is up)\b",
            r"\bwhen does .* end\b",
            r"\bup for renewal\b",
        ),
    ),
    (
        Intent.USAGE,
        _rule(
            r"\busage\b",
            r"\b(using|use|used)\b.*\b(product|platform|app|tool|it)\b",
            r"\b(is|are) .* using\b",
            r"\blog ?ins?\b",
            r"\blogging in\b",
            r"\bactive users?\b",
            r"\badoption\b",
            r"\bengage\w*\b",
            r"\b(dau|mau|wau)\b",
            r"\bseats?\b",
            r"\butili[sz]ation\b",
            r"\bactivity\b",
            r"\bsessions?\b",
        ),
    ),
    (
        Intent.TICKETS,
        _rule(
            r"\btickets?\b",
            r"\bsupport\b",
            r"\bissues?\b",
            r"\bcases?\b",
            r"\bescalat\w*\b",
            r"\bcomplain\w*\b",
            r"\bbugs?\b",
            r"\bincidents?\b",
        ),
    ),
    (
        Intent.CONTACTS,
        _rule(
            r"\bcontacts?\b",
            r"\bchampions?\b",
            r"\bstakeholders?\b",
            r"\bdecision makers?\b",
            r"\b(exec|executive) sponsors?\b",
            r"\bsponsors?\b",
            r"\bwho (should|do|can) (i|we) (talk|speak|reach|email|call|contact)\b",
            r"\bwho (is|s) (the|our) (main|primary|key)\b",
            r"\bpeople at\b",
            r"\bpoint of contact\b",
            r"\bpoc\b",
        ),
    ),
    (
        Intent.NPS,
        _rule(
            r"\bnps\b",
            r"\bnet promoter\b",
            r"\bsurveys?\b",
            r"\bpromoters?\b",
            r"\bdetractors?\b",
            r"\bsatisfaction\b",
            r"\bhappy\b",
        ),
    ),
    (
        Intent.AT_RISK,
        _rule(
            r"\bat risk\b",
            r"\brisky\b",
            r"\b(red|yellow|green)\b",
            r"\bin (trouble|danger)\b",
            r"\bchurn\w*\b",
            r"\bstruggling\b",
            r"\bunhealthy\b",
        ),
    ),
    (
        Intent.ARR,
        _rule(
            r"\barr\b",
            r"\bmrr\b",
            r"\brevenue\b",
            r"\bworth\b",
            r"\bcontract value\b",
            r"\bacv\b",
            r"\bspend\w*\b",
            r"\bpay(s|ing)?\b",
            r"\bbook (size|value)\b",
            r"\bportfolio (value|size|total)\b",
            r"\bhow much\b",
        ),
    ),
    (
        Intent.HEALTH,
        _rule(r"\bhealth\w*\b", r"\bscores?\b", r"\bbands?\b", r"\bchurn risk\b"),
    ),
    (
        Intent.ACCOUNT_OVERVIEW,
        _rule(
            r"\bhow (is|s|are|was) .*\b(doing|going|performing|looking|tracking)\b",
            r"\btell me about\b",
            r"\bwhat (s|is) (going on|happening|up|new) (with|at)\b",
            r"\boverview\b",
            r"\bsummar\w*\b",
            r"\brundown\b",
            r"\bupdate on\b",
            r"\bstatus (of|for|on)\b",
            r"\bbrief\w* (me )?on\b",
            r"\b(info|details|everything) (on|about)\b",
            r"\blook ?up\b",
            r"\bcheck on\b",
            r"\b360\b",
        ),
    ),
    (
        Intent.ACCOUNTS,
        _rule(
            r"\baccounts\b",
            r"\bbook\b",
            r"\bcustomers\b",
            r"\bclients\b",
            r"\bportfolio\b",
            r"\bhow many\b",
        ),
    ),
]

_TEAM = re.compile(r"\b(my team|our team|team|teams|my reports|my csms|my direct reports)\b")
_ME = re.compile(r"\b(my|mine|i own|i manage|i have|i m responsible|do i|am i|for me)\b")
_ALL = re.compile(
    r"\b(all|everyone|everybody|whole|entire|company|companywide|org|organi[sz]ation|across"
    r"|overall|global|every|total portfolio)\b"
)
_MONTH = re.compile(r"\b(month|30 days|monthly|4 weeks)\b")
_RECENT = re.compile(r"\b(recent|recently|latest|last|new|this week|past)\b")

# Words that carry no account name: question words, fillers and every rule's keywords.
FUNCTION_WORDS = word_set(
    """a an the of for at about with on in to from by and or is are was were be been being am
    do does did doing done has have had having how what whats which who whom whose when where
    why will would should could can may might must shall it its this that these those there
    here i im me my mine we our us you your they their them he she his her please pls thanks
    thank tell show give list get got find see check look lookup let know want need any some
    much many most more less over under up down out into than then so just also still yet now
    currently current latest recent recently last next going go goes happening happen like
    new s t d ok okay hey hi hello quick quickly right re vs versus between since ago did
    whats hows wheres whos results result numbers figures data stats statistics metrics report
    reports look like average avg mean median before after until till through during"""
)
INTENT_WORDS = word_set(
    """account accounts customer customers client clients company companies overview summary
    summarize summarise summarised rundown update brief briefing info information details
    status health healthy unhealthy score scores band bands renew renews renewing renewal
    renewals contract contracts end ends ending date dates expire expires expiring expiry usage
    using use used uses login logins log logging active users user adoption engagement engaged
    seats seat utilization utilisation activity sessions session tickets ticket support issues
    issue cases case escalations escalation escalated open opened complaints complaint bugs
    incidents nps survey surveys promoter promoters detractor detractors csat satisfaction
    happy arr mrr revenue worth value acv spend spending pay pays paying money dollars risk
    risky red yellow green trouble danger churn churning struggling changed change changes
    changing drop dropped dropping fell fall falling decline declined declining worse better
    improve improved improving moved move movers mover flipped flip turned turn went why
    explain breakdown driving drivers driver behind trend trends history doing performing
    looking tracking contacts contact champion champions stakeholders stakeholder decision
    maker makers sponsor sponsors exec executive people poc talk speak reach email call
    should steps step actions action moves best playbook playbooks cta ctas todo todos
    recommend recommendation recommendations handle deal fix save approach respond address
    complain complains complained complaining unhappy frustrated frustrating frustration
    frustrations upset annoyed angry dissatisfied pain points point gripe gripes theme themes
    topic topics top biggest common recurring frequent problem problems requests mostly mainly
    lately
    team teams reports csms all everyone everybody whole entire org organization organisation
    across overall global every total totals portfolio book size product platform app tool
    week weeks month months quarter quarters year years day days today tomorrow upcoming
    coming soon due within ahead number count many help commands"""
)
STOPWORDS = FUNCTION_WORDS | INTENT_WORDS

MentionFinder = Callable[[list[str]], Mention | None]


@dataclass(frozen=True, slots=True)
class ParsedQuestion:
    intent: Intent
    words: list[str]
    mention: Mention | None = None
    account_phrase: str | None = None
    # The portfolio question to answer instead when the phrase names no account.
    portfolio_intent: Intent | None = None
    topic: str | None = None
    scope: RequestedScope | None = None
    window: DateWindow | None = None
    compare_days: int = 7
    recent_only: bool = False
    matched_rule: bool = True
    understood_by: str = "rules"  # or "llm" when the router chose the question
    # The leftover words follow "for", "at", "about"…: "open tickets for hooli" names an
    # account, so a name the viewer cannot see is "not found", never their own book.
    named_by_preposition: bool = False
    # "my red accounts": the one band asked for, so the list is not the wider at-risk one.
    band: str | None = None

    @property
    def needs_account(self) -> bool:
        return self.intent in ACCOUNT_ONLY

    @property
    def names_account(self) -> bool:
        return self.mention is not None or bool(self.account_phrase)


def parse_question(
    text: str, *, today: date, find_mention: MentionFinder | None = None
) -> ParsedQuestion:
    """Understand one question. Pure: the account index comes in as ``find_mention``.

    Args:
        text: what the person typed (Slack mention markup already removed).
        today: the asker's date, for date phrases.
        find_mention: finds a known account name among the question's words.
    """
    normalised = normalise(text)
    window = parse_date_window(normalised, today)
    without_window = normalised
    if window and window.matched:
        without_window = normalised.replace(window.matched.strip(), " ", 1)
    words = without_window.split()
    mention = find_mention(words) if find_mention else None
    outside = words if mention is None else words[: mention.start] + words[mention.end :]
    padded = " " + " ".join(outside) + " "
    intent, matched = _match_intent(padded)
    leftover = [w for w in outside if w not in STOPWORDS and not w.isdigit()]
    account_phrase = None
    if mention is None and leftover:
        account_phrase = " ".join(leftover)
    portfolio_intent: Intent | None = intent if intent in EITHER else None
    if intent in ACCOUNT_FORM_OF:
        if mention is not None or (account_phrase and _looks_like_name(leftover)):
            portfolio_intent = intent
            intent = ACCOUNT_FORM_OF[intent]
        else:
            account_phrase = None  # stray words beside a portfolio question are not a name
    elif not matched and (mention is not None or account_phrase):
        intent = Intent.ACCOUNT_OVERVIEW  # a bare name: "acme"
    return ParsedQuestion(
        intent=intent,
        words=words,
        mention=mention,
        account_phrase=account_phrase,
        portfolio_intent=portfolio_intent,
        topic=_topic(outside, intent),
        scope=_scope(padded),
        window=window,
        compare_days=30 if _MONTH.search(normalised) else 7,
        recent_only=bool(_RECENT.search(padded)) and "open" not in outside,
        matched_rule=matched,
        named_by_preposition=_named_by_preposition(outside, leftover),
        band=_band_asked(outside) if intent == Intent.AT_RISK else None,
    )


_BANDS = ("red", "yellow", "green")


def _band_asked(outside: list[str]) -> str | None:
    """The single band named in the question ("my green accounts"), else None."""
    named = {word for word in outside if word in _BANDS}
    return named.pop() if len(named) == 1 else None


_NAME_PREPOSITIONS = frozenset({"for", "at", "about", "of", "with", "from", "regarding", "re"})


def _named_by_preposition(outside: list[str], leftover: list[str]) -> bool:
    """True when a leftover word comes right after a preposition that introduces a name."""
    if not leftover:
        return False
    candidates = set(leftover)
    return any(
        word in candidates and previous in _NAME_PREPOSITIONS
        for previous, word in zip(outside, outside[1:], strict=False)
    )


def _match_intent(padded: str) -> tuple[Intent, bool]:
    for intent, pattern in RULES:
        if intent is Intent.METRIC_DEFINITION and find_metric(padded) is None:
            continue  # "what does acme mean by 'seats'" is not a glossary question
        if pattern.search(padded):
            return intent, True
    return Intent.HELP, False


def _scope(padded: str) -> RequestedScope | None:
    if _TEAM.search(padded):
        return "team"
    if _ME.search(padded):
        return "me"
    if _ALL.search(padded):
        return "all"
    return None


def _looks_like_name(leftover: list[str]) -> bool:
    """A stray word or two next to a portfolio question ("renewals for acmee") may be a name."""
    return 0 < len(leftover) <= 4


def _topic(outside: list[str], intent: Intent) -> str | None:
    """What the question is about beyond the account ("billing complaint")."""
    if intent != Intent.NEXT_STEPS:
        return None
    topic = [w for w in outside if w not in FUNCTION_WORDS and w not in _NEXT_STEP_WORDS]
    return " ".join(topic) or None


_NEXT_STEP_WORDS = word_set(
    """should steps step actions action moves best playbook playbooks cta ctas todo todos
    recommend recommendation recommendations handle deal fix save approach respond address
    next open opened outstanding pending account accounts customer customers client clients
    today now work"""
)
