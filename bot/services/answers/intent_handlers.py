"""Which answer function answers each intent: one table for an account, one for the portfolio.

The pipeline looks an intent up here once it knows whether the question is about
one account or a list; adding an answer is adding a row, not a branch.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.db.queries.records import AccountRecord
from bot.services.answers.account import (
    answer_arr,
    answer_contacts,
    answer_health,
    answer_health_change,
    answer_next_steps,
    answer_nps,
    answer_overview,
    answer_renewal_date,
    answer_tickets,
    answer_usage,
)
from bot.services.answers.context import AnswerContext, Reply
from bot.services.answers.insights import (
    answer_account_escalations,
    answer_account_expansion,
    answer_account_invoices,
    answer_churned,
    answer_csm_breakdown,
    answer_escalations,
    answer_expansion,
    answer_health_drops,
    answer_invoices,
    answer_no_contact,
    answer_top_accounts,
)
from bot.services.answers.intents import Intent
from bot.services.answers.portfolio import (
    answer_accounts,
    answer_arr_at_risk,
    answer_at_risk,
    answer_band_changes,
    answer_portfolio_arr,
    answer_portfolio_ctas,
    answer_portfolio_health,
    answer_portfolio_nps,
    answer_portfolio_tickets,
    answer_renewals,
)
from bot.services.answers.themes import answer_account_themes, answer_portfolio_themes
from bot.services.answers.workday import (
    answer_draft_email,
    answer_last_contact,
    answer_last_qbr,
    answer_qbr_summary,
    answer_who_am_i,
    answer_work_today,
)

AccountHandler = Callable[[AnswerContext, AccountRecord], Reply]
PortfolioHandler = Callable[[AnswerContext], Reply]

ACCOUNT_HANDLERS: dict[Intent, AccountHandler] = {
    Intent.ACCOUNT_OVERVIEW: answer_overview,
    Intent.HEALTH: answer_health,
    Intent.HEALTH_CHANGE: answer_health_change,
    Intent.RENEWAL_DATE: answer_renewal_date,
    Intent.USAGE: answer_usage,
    Intent.TICKETS: answer_tickets,
    Intent.THEMES: answer_account_themes,
    Intent.CONTACTS: answer_contacts,
    Intent.NPS: answer_nps,
    Intent.ARR: answer_arr,
    Intent.NEXT_STEPS: answer_next_steps,
    Intent.EXPANSION: answer_account_expansion,
    Intent.INVOICES: answer_account_invoices,
    Intent.ESCALATIONS: answer_account_escalations,
    Intent.LAST_QBR: answer_last_qbr,
    Intent.LAST_CONTACT: answer_last_contact,
    Intent.DRAFT_EMAIL: answer_draft_email,
    Intent.QBR_SUMMARY: answer_qbr_summary,
}
PORTFOLIO_HANDLERS: dict[Intent, PortfolioHandler] = {
    Intent.HEALTH: answer_portfolio_health,
    Intent.HEALTH_CHANGE: answer_band_changes,
    Intent.RENEWALS: answer_renewals,
    Intent.ACCOUNTS: answer_accounts,
    Intent.AT_RISK: answer_at_risk,
    Intent.ARR: answer_portfolio_arr,
    Intent.ARR_AT_RISK: answer_arr_at_risk,
    Intent.BAND_CHANGES: answer_band_changes,
    Intent.TICKETS: answer_portfolio_tickets,
    Intent.THEMES: answer_portfolio_themes,
    Intent.NPS: answer_portfolio_nps,
    Intent.NEXT_STEPS: answer_portfolio_ctas,
    Intent.WHO_AM_I: answer_who_am_i,
    Intent.WORK_TODAY: answer_work_today,
    Intent.HEALTH_DROPS: answer_health_drops,
    Intent.EXPANSION: answer_expansion,
    Intent.INVOICES: answer_invoices,
    Intent.NO_CONTACT: answer_no_contact,
    Intent.TOP_ACCOUNTS: answer_top_accounts,
    Intent.CHURNED: answer_churned,
    Intent.CSM_BREAKDOWN: answer_csm_breakdown,
    Intent.ESCALATIONS: answer_escalations,
}
