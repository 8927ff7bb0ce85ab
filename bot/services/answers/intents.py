"""The question intents and the sets that say how each is answered.

An intent is what a question asks for (a renewal date, the at-risk list, a draft
email); the sets group intents by whether they need an account, may take one, or
never do, so the parser and the pipeline agree on what a named account means.
"""

from __future__ import annotations

from enum import StrEnum


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
