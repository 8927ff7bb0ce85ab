"""The ordered regular-expression rule table that turns a question into an intent.

The first matching rule wins, so a failing phrasing is fixed by adding or
reordering a rule and a test. Patterns see normalised text (lower case, no
punctuation), padded with spaces, with the account's words already taken out.
"""

from __future__ import annotations

import re

from bot.services.answers.intents import Intent
from bot.services.metrics.glossary import find_metric


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
        # Only when the words name a glossary metric (see match_intent).
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


def match_intent(padded: str) -> tuple[Intent, bool]:
    """The first rule that matches, and whether any did (HELP when none does)."""
    for intent, pattern in RULES:
        if intent is Intent.METRIC_DEFINITION and find_metric(padded) is None:
            continue  # "what does acme mean by 'seats'" is not a glossary question
        if pattern.search(padded):
            return intent, True
    return Intent.HELP, False
