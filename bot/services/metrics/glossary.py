"""One definition per portfolio metric: what it means to a CSM, its window, its code.

Every surface that shows a metric (chat answers, the manager digest, App Home, CTA
texts, the 360 card) takes the definition and the computation from here, so "ARR at
risk" is one figure for one manager on one day wherever they read it, and "what does
ARR at risk mean?" answers with the very sentence the code implements.

This module is pure data (no SQL, no Slack): the computations live in
:mod:`bot.services.metrics.readings`, the SQL in ``bot.db.queries``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.db.queries.nps import DETRACTOR_MAX, PROMOTER_MIN
from bot.db.queries.portfolio import AT_RISK_STAGE, RED
from bot.db.queries.usage import SEATS_WINDOW_DAYS

#: Renewals "due": active contracts ending today or in the next this-many days.
RENEWALS_DUE_DAYS = 90
#: Portfolio NPS and detractors: responses received in the last this-many days.
NPS_WINDOW_DAYS = 90

__all__ = [
    "AT_RISK_STAGE",
    "DETRACTOR_MAX",
    "METRICS",
    "NPS_WINDOW_DAYS",
    "PROMOTER_MIN",
    "RED",
    "RENEWALS_DUE_DAYS",
    "SEATS_WINDOW_DAYS",
    "Metric",
    "find_metric",
    "metric",
]


@dataclass(frozen=True, slots=True)
class Metric:
    """A metric as a CSM reads it and as the code computes it.

    ``computed_by`` names the one function every surface calls, so a reader of the
    definition (or of a disagreement report) knows where to look.
    """

    key: str
    name: str
    definition: str
    window: str
    computed_by: str
    aliases: tuple[str, ...] = ()
    per_account: bool = False  # a figure of one account (no portfolio total to show)


METRICS: tuple[Metric, ...] = (
    Metric(
        key="arr_at_risk",
        name="ARR at risk",
        definition=(
            "The ARR of your active accounts whose health band is red (a band override in "
            f"force counts) or whose lifecycle stage is {AT_RISK_STAGE}."
        ),
        window="The latest health scoring run on or before today.",
        computed_by="bot.services.metrics.readings.portfolio_figures",
        aliases=("arr at risk", "at risk arr", "revenue at risk", "arr-at-risk"),
    ),
    Metric(
        key="at_risk_accounts",
        name="At-risk accounts",
        definition=(
            "Active accounts whose health band is red (a band override in force counts) "
            f"or whose lifecycle stage is {AT_RISK_STAGE}: the accounts behind ARR at risk."
        ),
        window="The latest health scoring run on or before today.",
        computed_by="bot.services.metrics.readings.portfolio_figures",
        aliases=("at risk accounts", "at-risk accounts", "accounts at risk", "at risk"),
    ),
    Metric(
        key="red_accounts",
        name="Red accounts",
        definition=(
            "Active accounts whose health band is red: the computed band, unless a CSM's "
            "band override is in force, which wins."
        ),
        window="The latest health scoring run on or before today.",
        computed_by="bot.services.metrics.readings.portfolio_figures",
        aliases=("red accounts", "red account", "red"),
    ),
    Metric(
        key="health_bands",
        name="Health bands",
        definition=(
            "Red below {yellow_from:g}, yellow from {yellow_from:g} to below {green_from:g}, "
            "green from {green_from:g}; an account keeps its previous band until its score "
            "leaves it by more than {margin:g} points."
        ),
        window="Each daily scoring run.",
        computed_by="scoring.health.band_of and scoring.health.apply_hysteresis",
        aliases=("health band", "health bands", "band thresholds", "bands", "band"),
    ),
    Metric(
        key="health_score",
        name="Health score",
        definition=(
            "0-100: each component (usage, relationship, support, financial, survey) "
            "scored from its measures, then averaged with its effective weight — the "
            "configured weight, raised for weak components by the weak-component boost, "
            "left out when it has no data. The card shows each component's points; they "
            "add up to the score."
        ),
        window="Each daily scoring run, over the data up to the day before it.",
        computed_by="scoring.health.overall_health",
        aliases=("health score", "health", "score"),
        per_account=True,
    ),
    Metric(
        key="renewals_due",
        name="Renewals due",
        definition=(
            "Active contracts of your active accounts ending between today and "
            f"{RENEWALS_DUE_DAYS} days from now, with the ARR they carry."
        ),
        window=f"Today to {RENEWALS_DUE_DAYS} days ahead (both ends included).",
        computed_by="bot.services.metrics.readings.renewals_due",
        aliases=("renewals due", "renewals", "upcoming renewals", "renewal"),
    ),
    Metric(
        key="nps",
        name="NPS",
        definition=(
            "The average 0-10 score of the NPS responses from your active accounts; a "
            f"promoter answered {PROMOTER_MIN} or 10, a detractor 0 to {DETRACTOR_MAX}."
        ),
        window=f"Responses received in the last {NPS_WINDOW_DAYS} days.",
        computed_by="bot.services.metrics.readings.portfolio_nps_reading",
        aliases=("nps", "net promoter score", "net promoter"),
    ),
    Metric(
        key="detractors",
        name="Detractors",
        definition=f"NPS responses scoring 0 to {DETRACTOR_MAX} from your active accounts.",
        window=f"Responses received in the last {NPS_WINDOW_DAYS} days.",
        computed_by="bot.services.metrics.readings.portfolio_nps_reading",
        aliases=("detractors", "detractor", "nps detractors"),
    ),
    Metric(
        key="seats_used",
        name="Seats used",
        definition=(
            "Average daily active users over licensed seats: the active users of the "
            f"{SEATS_WINDOW_DAYS} complete days before the day it is measured on, summed "
            f"and divided by {SEATS_WINDOW_DAYS} (a day with no usage counts as 0)."
        ),
        window=(
            f"The {SEATS_WINDOW_DAYS} days before the scoring date (health, drivers, card) "
            "or the rule day (CTAs, which run right after scoring)."
        ),
        computed_by="bot.db.queries.usage.seats_used (and scoring.measures for the score)",
        aliases=(
            "seats used",
            "seat utilisation",
            "seat utilization",
            "seats",
            "seat usage",
            "licensed seats",
        ),
        per_account=True,
    ),
    Metric(
        key="last_touch",
        name="Last touch",
        definition=(
            "The newest logged interaction with the account (call, meeting, email, QBR) — "
            "the same record the health score's relationship component reads."
        ),
        window="All interactions up to now; shown as days ago.",
        computed_by="bot.db.queries.contacts.last_interaction",
        aliases=("last touch", "last interaction", "last contact", "last touchpoint"),
        per_account=True,
    ),
    Metric(
        key="churn_risk",
        name="Churn risk",
        definition=(
            "The chance (0-100%) the account does not renew: the saved churn model's "
            "estimate when one is trained and back-tested better, else derived from the "
            "health score."
        ),
        window="Each daily scoring run.",
        computed_by="bot.services.health.runs.churn_model_for_scoring",
        aliases=("churn risk", "churn probability", "risk of churn", "churn"),
        per_account=True,
    ),
)

_BY_KEY = {m.key: m for m in METRICS}


def metric(key: str) -> Metric:
    """The metric named ``key`` (a programming error, not user input, when unknown)."""
    return _BY_KEY[key]


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9%]+", " ", text.lower().replace("-", " ")).split())


# Longest alias first, so "nps detractors" is detractors and "arr at risk" beats "at risk".
_ALIASES = sorted(
    ((_norm(alias), m) for m in METRICS for alias in (m.name, *m.aliases)),
    key=lambda pair: -len(pair[0]),
)


def find_metric(text: str) -> Metric | None:
    """The glossary entry ``text`` names ("ARR at risk", "seat utilization", ...), if any.

    Whole words only, longest alias first: "what does NPS mean" is NPS, "what does
    an NPS detractor mean" is detractors.
    """
    normal = f" {_norm(text)} "
    for alias, found in _ALIASES:
        if f" {alias} " in normal:
            return found
    return None
