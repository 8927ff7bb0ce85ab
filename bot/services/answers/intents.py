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
from difflib import get_close_matches
from enum import StrEnum
from functools import lru_cache

from bot.services.accounts.names import Mention, normalise, word_set
from bot.services.accounts.viewers import RequestedScope
from bot.services.answers.dates import DateWindow, parse_date_window, parse_past_window
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
    WHO_AM_I = "who_am_i"
    WORK_TODAY = "work_today"
    HEALTH_DROPS = "health_drops"
    EXPANSION = "expansion"
    INVOICES = "invoices"
    NO_CONTACT = "no_contact"
    TOP_ACCOUNTS = "top_accounts"
    COMPARE = "compare"
    CHURNED = "churned"
    CSM_BREAKDOWN = "csm_breakdown"
    ESCALATIONS = "escalations"
    DRAFT_EMAIL = "draft_email"
    QBR_SUMMARY = "qbr_summary"
    LAST_QBR = "last_qbr"
    LAST_CONTACT = "last_contact"


# Intents that are about one account and make no sense without one.
ACCOUNT_ONLY = frozenset(
    {
        Intent.ACCOUNT_OVERVIEW,
        Intent.RENEWAL_DATE,
        Intent.USAGE,
        Intent.CONTACTS,
        Intent.COMPARE,
        Intent.DRAFT_EMAIL,
        Intent.QBR_SUMMARY,
        Intent.LAST_QBR,
        Intent.LAST_CONTACT,
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
        Intent.EXPANSION,
        Intent.INVOICES,
        Intent.ESCALATIONS,
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
    Intent.HEALTH_DROPS: Intent.HEALTH_CHANGE,
    Intent.NO_CONTACT: Intent.LAST_CONTACT,
    Intent.WORK_TODAY: Intent.NEXT_STEPS,
}
# Portfolio forms whose account form needs a known account named, not stray words:
# "what needs my attention" is not a question about an account called "needs attention".
MENTION_ONLY_FORMS = frozenset({Intent.HEALTH_DROPS, Intent.NO_CONTACT, Intent.WORK_TODAY})
# Questions about a list or about the asker, never about one account: words left over
# are not a name (an account's overview would answer a different question).
PORTFOLIO_ONLY = frozenset(
    {Intent.WHO_AM_I, Intent.TOP_ACCOUNTS, Intent.CHURNED, Intent.CSM_BREAKDOWN}
)


def _rule(*patterns: str, unless: str | None = None) -> re.Pattern[str]:
    body = "|".join(f"(?:{p})" for p in patterns)
    if unless is not None:
        body = f"^(?!.*(?:{unless})).*(?:{body})"
    return re.compile(body)


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
        Intent.WHO_AM_I,
        _rule(
            r"\bwho am i\b",
            r"\bwhoami\b",
            r"\bwhat (is |s )?my (role|name|login|user)\b",
            r"\bwho (are you talking to|do you think i am|is asking)\b",
            r"\bwhat (can i see|do i have access to|access do i have)\b",
        ),
    ),
    (
        Intent.QBR_SUMMARY,
        _rule(
            r"\b(summar\w*|prep\w*|brief\w*|deck|notes|talking points|ready)\b.*\b(qbr|ebr"
            r"|business review)\b",
            r"\b(qbr|ebr) (prep\w*|summary|brief\w*|deck|notes|talking points)\b",
            r"\bfor (my|our|the|a|next) (qbr|ebr|business review)\b",
            r"\baccount (brief|briefing)\b",
        ),
    ),
    (
        Intent.DRAFT_EMAIL,
        _rule(
            r"\b(draft|write|compose|prepare|prep|create)\b.*\b(e ?mail|mail|message|letter"
            r"|outreach|note to|follow ?up)\b",
            r"^ draft\b",
            r"\bemail (draft|template)\b",
        ),
    ),
    (
        Intent.LAST_QBR,
        _rule(
            r"\b(last|latest|previous|recent|most recent|prior)\b.*\b(qbr|qbrs|ebr"
            r"|business reviews?)\b",
            r"\bwhen (was|did|is) .*\b(qbr|ebr|business review)\b",
            r"\b(qbr|ebr) (with|for|at)\b",
        ),
    ),
    (
        Intent.NO_CONTACT,
        _rule(
            r"\b(no|without|zero|any|lack of) (recent )?(customer )?(contact\w*|touch\w*"
            r"|interactions?|engagement|outreach|meetings?|calls?|conversations?)\b.*\b(in|for"
            r"|since|over|past|last)\b",
            r"\b(haven t|havent|have not|hasn t|hasnt|not|didn t|didnt|nobody|no one|not been)"
            r" (been )?(talk\w*|spoke|spoken|contact\w*|touch\w*|reach\w*|met|heard|engag\w*"
            r"|call\w*|email\w*|visit\w*)\b",
            r"\bgone (quiet|dark|silent)\b",
            r"\bneglect\w*\b",
            r"\buntouched\b",
            r"\bno (recent )?(contact|touch|touchpoints?|interactions?)\b",
            r"\b(not|no) (been )?in touch\b",
            r"\b(haven t|havent|have not|hasn t|hasnt|didn t|didnt) (we|i|you|anyone|they|the team)"
            r" (been )?(talk\w*|spoke|spoken|contact\w*|touch\w*|reach\w*|met|call\w*|email\w*)\b",
            r"\b(nobody|no one) (has |have )?(talk\w*|spoke|spoken|contact\w*|touch\w*|reach\w*"
            r"|met|call\w*|email\w*|visit\w*)\b",
        ),
    ),
    (
        Intent.LAST_CONTACT,
        _rule(
            r"\bwhen (did|have|was|were) (we|i|anyone|someone|you|the team)?\s?(last )?(talk\w*"
            r"|spoke|speak|met|meet|contact\w*|touch\w*|email\w*|call\w*|hear\w*|engag\w*"
            r"|reach\w*|last)\b",
            r"\blast (touch\w*|contact\w*|interactions?|conversations?|calls?|meetings?|spoke"
            r"|talked|email\w*|engagement|time we)\b",
            r"\bhow long since\b",
            r"\bdays since (we|our|the) (last )?(talk\w*|spoke|contact\w*|touch\w*|call\w*"
            r"|meeting)\b",
        ),
    ),
    (
        Intent.WORK_TODAY,
        _rule(
            r"\bwhat should i (work on|focus on|do today|tackle|prioriti[sz]e|start with)\b",
            r"\b(work|focus) on (today|first|next|this morning)\b",
            r"\bmy (priorities|agenda|day|plate|tasks|task list|focus)\b",
            r"\bon my plate\b",
            r"\bprioriti[sz]e\b",
            r"\bwhere (should|do) i start\b",
            r"\bwhat needs my attention\b",
            r"\bwhat (s|is) (urgent|due) (today|for me)\b",
            r"\b(today s|todays|daily) (priorities|focus|plan|list)\b",
            r"\boverdue follow ?ups?\b",
            r"\bwhat do i (need|have) to do\b",
        ),
    ),
    (
        Intent.COMPARE,
        _rule(
            r"\bcompar\w*\b",
            r"\b(vs|versus)\b",
            r"\bside by side\b",
            r"\bdifference between\b",
            r"\bhow does .* stack up\b",
        ),
    ),
    (
        Intent.CSM_BREAKDOWN,
        _rule(
            r"\b(which|what|who) (csm|csms|rep|reps|person|team member)\b",
            r"\bcsms? (with|has|have) (the )?(most|fewest|least)\b",
            r"\b(by|per|each|every) (csm|rep|owner)\b",
            r"\bcsm (breakdown|leaderboard|ranking|split)\b",
            r"\b(breakdown|split) by (csm|owner|rep)\b",
        ),
    ),
    (
        Intent.CHURNED,
        _rule(
            r"\bchurned\b",
            r"\bwho (left|cancell?ed|churned|did we lose)\b",
            r"\blost (accounts|customers|clients|logos|deals)\b",
            r"\b(accounts|customers|clients|logos) (we )?lost\b",
            r"\bchurn (list|reasons?|report)\b",
            r"\bwhy did (we|they|customers|accounts) (lose|leave|churn|cancel)\b",
            r"\bcancell?ations\b",
            r"\bdid we lose\b",
        ),
    ),
    (
        Intent.HEALTH_DROPS,
        _rule(
            r"\b(biggest|largest|worst|top|most|sharpest|steepest|big|major|significant)\b.*"
            r"\b(drops?|declines?|decreases?|falls?|fell|losers?|dropp\w*|slides?|dips?)\b",
            r"\bhealth (drops?|declines?|decreases?|dips?)\b",
            r"\b(dropped|declined|fell|fallen|slipped) (the )?most\b",
            r"\b(drops?|declines?|dips?) in (health|score)\b",
            r"\b(which|what|any) (accounts|customers|clients)? ?(dropped|declined|fell|got worse"
            r"|deteriorat\w*|worsened)\b",
            r"\bgetting worse\b",
            r"\bdeteriorat\w*\b",
            unless=r"\bwhy\b",
        ),
    ),
    (
        Intent.EXPANSION,
        _rule(
            r"\bexpan\w*\b",
            r"\bup ?sell\w*\b",
            r"\bcross ?sell\w*\b",
            r"\bgrowth (opportunit\w*|potential|candidates?|accounts)\b",
            r"\b(ready|likely|poised) to (buy|expand|grow|upgrade)\b",
            r"\bupgrade (candidates?|opportunit\w*)\b",
            r"\bwhite ?space\b",
            r"\bupside\b",
            r"\bopportunit\w*\b",
            r"\bwho (could|can|might) (buy|grow)\b",
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
        Intent.ESCALATIONS,
        _rule(r"\bescalations?\b", r"\bescalation (list|queue)\b"),
    ),
    (
        Intent.INVOICES,
        _rule(
            r"\binvoic\w*\b",
            r"\b(overdue|late|outstanding) (payments?|bills?|balances?|amounts?)\b",
            r"\b(failed|missed|late|declined|bounced|failing) (payments?|charges?|cards?"
            r"|billing)\b",
            r"\bpayments? (failed|failures?|issues?|problems?|overdue|late)\b",
            r"\bunpaid\b",
            r"\bbilling (issues?|problems?|failures?)\b",
            r"\b(owes|owe|owing)\b",
            r"\b(haven t|havent|hasn t|hasnt|not) paid\b",
            r"\bpast due\b",
            r"\bar aging\b",
            r"\breceivables?\b",
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
        Intent.TOP_ACCOUNTS,
        _rule(
            r"\b(top|bottom) (\d+ |one |two |three |four |five |ten |twenty )?(accounts"
            r"|customers|clients|logos) (by|in|on|for)\b",
            r"\b(top|bottom) (\d+|three|five|ten|twenty)\b",
            r"\b(largest|biggest|smallest) (\d+ )?(accounts|customers|clients|logos)\b",
            r"\b(healthiest|unhealthiest|riskiest|sickest)\b",
            r"\b(highest|lowest|best|worst|most|least|top|bottom|low|high)\b.*\b(arr|revenue"
            r"|health\w*|scores?|churn risk|risk of churn|seats?|usage|utili[sz]ation|adoption"
            r"|active users)\b",
            r"\b(most|least|highest|lowest) (used|utili[sz]ed|active|likely to churn)\b",
            r"\brank\w*\b",
            r"\b(sort|sorted|order|ordered|rank)\b.*\bby\b",
            r"\blikely to churn\b",
        ),
    ),
    (
        # Before the renewal rules, which would read "contract" as a renewal question.
        Intent.ARR,
        _rule(r"\bcontract (value|size|worth)\b", r"\b(acv|tcv)\b"),
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
            r"\bbook\b(?! me\b)",
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
    coming soon due within ahead number count many help commands
    whoami role name login access see work focus plate priorities priority prioritize
    prioritise agenda tasks task urgent attention tackle start first morning daily
    draft write compose prepare prep create mail message letter outreach followup follow
    template qbr qbrs ebr business review reviews deck notes talking prior previous
    contacted touch touched touches touchpoint touchpoints interaction interactions
    conversation conversations meeting meetings calls called spoke spoken talked met heard
    reached engaged visit since long haven havent hasn hasnt not no without zero lack quiet
    dark silent neglected untouched gone nobody anyone someone didn didnt
    escalations invoice invoices invoiced overdue late outstanding payment payments bills
    bill balance balances amounts failed failing missed declined bounced charges cards
    billing unpaid owes owe owing paid past ar aging receivable receivables
    compare compared comparing comparison side difference stack against
    csm rep reps person member owner owners leaderboard ranking split per each
    churned left cancelled canceled cancellations cancellation lost lose leave logos deals
    reason reasons
    drops decrease decreases falls losers slide slides dip dips largest worst sharpest
    steepest big major significant slipped fallen worsened deteriorated deteriorating
    getting
    expansion expand expanding upsell upsells upselling cross sell selling growth grow
    opportunity opportunities potential candidates candidate ready likely poised buy
    upgrade white whitespace upside could might
    bottom smallest healthiest unhealthiest riskiest sickest highest lowest best least
    low high rank ranked ranking sort sorted order ordered used utilized utilised
    january february march april june july august september october november december
    one two three four five six seven eight nine ten twelve twenty fifteen fifty hundred
    ytd so far year to date needs need attention declines items tcv"""
)
STOPWORDS = FUNCTION_WORDS | INTENT_WORDS

MentionFinder = Callable[[list[str]], Mention | None]
DEFAULT_TOP_N = 5
MAX_TOP_N = 25
DEFAULT_QUIET_DAYS = 30


@dataclass(frozen=True, slots=True)
class CsmMention:
    """A CSM named in the question: which words, and who."""

    csm_id: str
    name: str
    start: int
    end: int


CsmFinder = Callable[[list[str]], CsmMention | None]


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
    # "Priya's red accounts", "maya's book": one CSM's book (still within what the asker sees).
    csm: CsmMention | None = None
    # "top 5 by ARR", "bottom 3 by health": how many, ranked by what, which end.
    top_n: int = DEFAULT_TOP_N
    measure: str = "arr"
    highest: bool = True
    # "churned last quarter", "in January": a window that looks back from today.
    past_window: DateWindow | None = None
    # "no contact in 45 days".
    contact_days: int = DEFAULT_QUIET_DAYS
    # "draft a renewal email": the drafting purpose named, if any.
    purpose: str | None = None

    @property
    def needs_account(self) -> bool:
        return self.intent in ACCOUNT_ONLY

    @property
    def names_account(self) -> bool:
        return self.mention is not None or bool(self.account_phrase)


def parse_question(
    text: str,
    *,
    today: date,
    find_mention: MentionFinder | None = None,
    find_csm: CsmFinder | None = None,
) -> ParsedQuestion:
    """Understand one question. Pure: the account index comes in as ``find_mention``.

    Args:
        text: what the person typed (Slack mention markup already removed).
        today: the asker's date, for date phrases.
        find_mention: finds a known account name among the question's words.
        find_csm: finds a CSM named as the owner of a book ("Priya's red accounts").
    """
    normalised = normalise(text)
    window = parse_date_window(normalised, today)
    past_window = parse_past_window(normalised, today)
    without_window = normalised
    if window and window.matched:
        without_window = normalised.replace(window.matched.strip(), " ", 1)
    words = without_window.split()
    mention = find_mention(words) if find_mention else None
    outside = words if mention is None else words[: mention.start] + words[mention.end :]
    csm = find_csm(outside) if find_csm else None
    if csm is not None:
        outside = outside[: csm.start] + outside[csm.end :]
    # "renwal", "tikets", "hw is": misspelt keywords and chat shorthand read as meant.
    outside = [part for word in outside for part in _corrected(word).split()]
    padded = " " + " ".join(outside) + " "
    intent, matched = _match_intent(padded)
    leftover = [w for w in outside if w not in STOPWORDS and not w.isdigit()]
    account_phrase = None
    if mention is None and leftover:
        account_phrase = " ".join(leftover)
    portfolio_intent: Intent | None = intent if intent in EITHER else None
    if intent in ACCOUNT_FORM_OF:
        phrase_counts = intent not in MENTION_ONLY_FORMS
        if mention is not None or (phrase_counts and account_phrase and _looks_like_name(leftover)):
            portfolio_intent = intent
            intent = ACCOUNT_FORM_OF[intent]
        else:
            account_phrase = None  # stray words beside a portfolio question are not a name
    elif intent in PORTFOLIO_ONLY:
        mention, account_phrase = None, None
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
        band=_band_asked(outside) if intent in (Intent.AT_RISK, Intent.CSM_BREAKDOWN) else None,
        csm=csm,
        past_window=past_window,
        contact_days=_days_asked(normalised),
        purpose=_purpose(outside),
        **_ranking(padded),
    )


_NUMBER = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
}
_DAYS = re.compile(r"\b(\d{1,4}|" + "|".join(_NUMBER) + r")\s*(days?|d|weeks?|wks?|months?|mos?)\b")
_TOP_N = re.compile(
    r"\b(?:top|bottom|first|last|largest|biggest|smallest)\s+(\d{1,3}|" + "|".join(_NUMBER) + r")\b"
)


def _count(token: str) -> int:
    return int(token) if token.isdigit() else _NUMBER[token]


def _days_asked(normalised: str) -> int:
    """ "in 45 days", "for 6 weeks", "two months": the quiet period asked for, in days."""
    found = _DAYS.search(normalised)
    if not found:
        return DEFAULT_QUIET_DAYS
    count, unit = _count(found.group(1)), found.group(2)
    factor = 7 if unit.startswith("w") else 30 if unit.startswith("m") else 1
    return max(1, min(count * factor, 3 * 365))


_MEASURE_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("churn_risk", re.compile(r"\b(churn risk|risk of churn|churn|riskiest|likely to churn)\b")),
    ("seats_used", re.compile(r"\b(seats?|usage|utili[sz]\w*|used|active users|adoption)\b")),
    ("expansion", re.compile(r"\b(expansion|upsell)\b")),
    ("health", re.compile(r"\b(health\w*|scores?|unhealthiest|sickest)\b")),
    ("arr", re.compile(r"\b(arr|revenue|mrr|largest|biggest|smallest|value)\b")),
)
_LOW_END = re.compile(r"\b(bottom|lowest|least|smallest|worst|low|unhealthiest|sickest)\b")


def _ranking(padded: str) -> dict[str, object]:
    """How many to list, by what, and from which end ("bottom 3 by health")."""
    measure = next((name for name, words in _MEASURE_WORDS if words.search(padded)), "arr")
    low = bool(_LOW_END.search(padded))
    if measure == "churn_risk" and re.search(r"\b(riskiest|highest|most|top)\b", padded):
        low = False
    found = _TOP_N.search(padded)
    top_n = _count(found.group(1)) if found else DEFAULT_TOP_N
    return {"top_n": max(1, min(top_n, MAX_TOP_N)), "measure": measure, "highest": not low}


_PURPOSES = {
    "renewal": "renewal",
    "renew": "renewal",
    "renewing": "renewal",
    "risk": "risk",
    "expansion": "expansion",
    "upsell": "expansion",
    "checkin": "check-in",
    "check": "check-in",
    "nps": "nps-followup",
    "escalation": "escalation",
}


def _purpose(outside: list[str]) -> str | None:
    return next((_PURPOSES[word] for word in outside if word in _PURPOSES), None)


_BANDS = ("red", "yellow", "green")
_VOCABULARY = sorted(INTENT_WORDS | {"invoices", "invoice", "contact", "churned", "biggest"})
_TYPO_CUTOFF = 0.85
_SHORTHAND = {
    "hw": "how",
    "wat": "what",
    "wot": "what",
    "whats": "what s",
    "hows": "how s",
    "u": "you",
    "ur": "your",
    "plz": "please",
    "pls": "please",
    "accts": "accounts",
    "acct": "account",
}


@lru_cache(maxsize=4096)
def _corrected(word: str) -> str:
    """A misspelt keyword ("renwal", "tikets", "invocies") read as the keyword it nearly is.

    Only words that are not already known and are long enough to misspell (5+ letters)
    are corrected, and only outside the account's name, so a name is never rewritten.
    """
    if word in _SHORTHAND:
        return _SHORTHAND[word]
    if word in STOPWORDS or len(word) < 5 or not word.isalpha():
        return word
    close = get_close_matches(word, _VOCABULARY, n=1, cutoff=_TYPO_CUTOFF)
    return close[0] if close else word


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
