"""Sentences about the account itself: profile, health, renewal.

The facts every draft leads with (who the customer is, how they are doing, when
they renew), so most of them are ``ESSENTIAL``.
"""

from __future__ import annotations

from datetime import date

from bot.db.queries.records import (
    AccountRecord,
    ContractRecord,
    HealthOverrideRecord,
    HealthSnapshot,
)
from bot.services.drafting.fact_format import (
    change_words,
    format_date,
    format_percent,
    plural,
    round_half_up,
    with_article,
)
from bot.services.drafting.sentences.base import (
    BACKGROUND,
    ESSENTIAL,
    HIGH,
    LOW,
    MEDIUM,
    FactFamily,
)

# Segments as people write them: "an SMB customer", not "a smb customer".
_SEGMENT_WORDS = {"smb": "SMB"}


class ProfileSentences(FactFamily):
    """The account's profile, health history and renewal."""

    def account(self, account: AccountRecord) -> None:
        profile = [f"The account is {account.name}"]
        segment = _SEGMENT_WORDS.get((account.segment or "").lower(), account.segment)
        kind = " ".join(part for part in (segment, account.industry) if part)
        if kind:
            profile.append(with_article(f"{kind} customer"))
        if account.customer_since:
            profile.append(f"a customer since {format_date(account.customer_since)}")
        if account.status != "active":
            profile.append(f"status {account.status}")
        self.add(
            "account.profile",
            "account",
            ", ".join(profile) + ".",
            "accounts",
            ESSENTIAL,
            names=(account.name,),
        )
        if account.csm_name:
            self.add(
                "account.csm",
                "account",
                f"The account's CSM is {account.csm_name}.",
                "csms",
                ESSENTIAL,
                names=(account.csm_name,),
            )
        if account.licensed_seats:
            self.add(
                "account.seats",
                "account",
                f"The account has {plural(account.licensed_seats, 'licensed seat')}.",
                "accounts",
                LOW,
            )

    def health(self, rows: list[HealthSnapshot], override: HealthOverrideRecord | None) -> None:
        latest = rows[0]
        as_of = latest.as_of
        self.add(
            "health.score",
            "health",
            f"Health score is {round_half_up(latest.score)}/100 ({latest.band}) "
            f"as of {format_date(as_of)}.",
            "health_scores",
            ESSENTIAL,
            as_of=as_of,
        )
        if override is not None:
            self.add(
                "health.override",
                "health",
                f"A CSM set the band to {override.band} until {format_date(override.until)} "
                f"(computed band: {latest.computed_band}).",
                "health_overrides",
                HIGH,
                as_of=as_of,
                quoted=override.reason,
            )
        for earlier in rows[1:]:
            days = (as_of - earlier.as_of).days
            delta = latest.score - earlier.score
            self.add(
                f"health.change_{days}d",
                "health",
                f"Health is {change_words(delta, 'point')} over {plural(days, 'day')} "
                f"(from {round_half_up(earlier.score)} on {format_date(earlier.as_of)}).",
                "health_scores",
                HIGH,
                as_of=as_of,
            )
        for index, driver in enumerate(latest.drivers[:4]):
            text = str(driver.get("text") or "").strip()
            if not text:
                continue
            sentence = text[0].upper() + text[1:]
            sentence = sentence if sentence.endswith(".") else sentence + "."
            self.add(
                f"health.driver_{index + 1}",
                "health",
                f"Health driver: {sentence}",
                "health_scores",
                HIGH if index < 2 else MEDIUM,
                as_of=as_of,
            )
        if latest.churn_risk is not None:
            self.add(
                "health.churn_risk",
                "health",
                f"Modelled churn risk is {format_percent(latest.churn_risk)}.",
                "health_scores",
                MEDIUM,
                as_of=as_of,
            )
        if latest.expansion is not None:
            self.add(
                "health.expansion",
                "health",
                f"Expansion propensity is {round_half_up(latest.expansion)}/100.",
                "health_scores",
                MEDIUM,
                as_of=as_of,
            )
        if latest.stage:
            self.add(
                "health.stage",
                "health",
                f"Lifecycle stage is {latest.stage}.",
                "health_scores",
                MEDIUM,
                as_of=as_of,
            )
        if latest.missing_components:
            missing = ", ".join(latest.missing_components)
            self.add(
                "health.missing",
                "health",
                f"The health score leaves out components with no data: {missing}.",
                "health_scores",
                BACKGROUND,
                as_of=as_of,
            )

    def renewal(self, account: AccountRecord, contract: ContractRecord | None, today: date) -> None:
        if contract is not None:
            days = (contract.end_date - today).days
            when = (
                f"in {plural(days, 'day')}"
                if days > 0
                else "today"
                if days == 0
                else f"{plural(-days, 'day')} ago"
            )
            verb = "ends" if days >= 0 else "ended"
            auto = {True: " Auto-renew is on.", False: " Auto-renew is off.", None: ""}
            self.add(
                "renewal.date",
                "renewal",
                f"The current contract {verb} on {format_date(contract.end_date)} ({when})."
                + auto[contract.auto_renew],
                "contracts",
                ESSENTIAL,
            )
            self.add(
                "renewal.arr",
                "renewal",
                f"Contract ARR is {self.money(contract.arr)}.",
                "contracts",
                ESSENTIAL,
            )
        elif account.arr is not None:
            self.add(
                "renewal.arr",
                "renewal",
                f"ARR is {self.money(account.arr)}.",
                "accounts",
                ESSENTIAL,
            )
