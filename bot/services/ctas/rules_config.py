"""The CTA rules file: its schema, and loading and validating it once per path.

Thresholds live in a versioned YAML file (``rules.yaml`` beside this module, or
``CSBOT_CTA_RULES``), never in code; a bad file is refused with its path and the
bad field named.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.db.cta_signals import SignalWindows
from bot.errors import ConfigurationError

DEFAULT_RULES_FILE = Path(__file__).with_name("rules.yaml")


class RuleSettings(BaseModel):
    model_config = ConfigDict(extra="allow")

    playbook: str
    type: str
    priority: Literal["urgent", "high", "medium", "low"]
    due_days: int = Field(7, ge=0)
    repeat_after_days: int = Field(0, ge=0)
    enabled: bool = True

    def number(self, name: str, default: float) -> float:
        value = (self.model_extra or {}).get(name, default)
        return float(value)

    def extra(self, name: str, default: Any = None) -> Any:
        return (self.model_extra or {}).get(name, default)


class OnboardingMilestone(BaseModel):
    id: str
    label: str
    by_day: int = Field(ge=1)
    measure: Literal["logins", "interactions", "seat_utilisation"]
    threshold: float


class RulesConfig(BaseModel):
    """The parsed rules file; ``version`` is stored on every CTA's details for audits."""

    version: str
    account_cooldown_hours: float = Field(24, ge=0)
    rules: dict[str, RuleSettings]

    def rule(self, name: str) -> RuleSettings:
        return self.rules[name]

    def windows(self) -> SignalWindows:
        """How far back the signal queries must look for these thresholds."""
        usage = self.rules.get("usage_drop")
        health = self.rules.get("health_risk")
        nps = self.rules.get("nps_detractor")
        expansion = self.rules.get("expansion")
        tickets = self.rules.get("support_escalation")
        renewal = self.rules.get("renewal")
        onboarding = self.rules.get("onboarding_late")
        no_logins = self.rules.get("no_logins")
        churn = self.rules.get("cancellation_save")
        return SignalWindows(
            churn_intent_lookback_days=int(churn.number("lookback_days", 14)) if churn else 14,
            usage_days=int(usage.number("window_days", 30)) if usage else 30,
            usage_measure=str(usage.extra("measure", "events")) if usage else "events",
            login_lookback_days=max(60, int(no_logins.number("days", 21)) * 2) if no_logins else 60,
            health_drop_days=int(health.number("drop_window_days", 30)) if health else 30,
            nps_lookback_days=int(nps.number("lookback_days", 14)) if nps else 14,
            promoter_lookback_days=int(expansion.number("promoter_lookback_days", 90))
            if expansion
            else 90,
            ticket_lookback_days=int(tickets.number("lookback_days", 14)) if tickets else 14,
            renewal_horizon_days=max(renewal.extra("milestones", [120])) if renewal else 120,
            onboarding_days=int(onboarding.number("window_days", 90)) if onboarding else 90,
        )

    def onboarding_milestones(self) -> list[OnboardingMilestone]:
        rule = self.rules.get("onboarding_late")
        if rule is None:
            return []
        return [OnboardingMilestone.model_validate(m) for m in rule.extra("milestones", [])]


def load_rules_config(path: Path | None = None) -> RulesConfig:
    """Read and validate the rules file; a bad file names itself and the bad field."""
    return _load_rules_config(path or DEFAULT_RULES_FILE)


@lru_cache(maxsize=8)
def _load_rules_config(path: Path) -> RulesConfig:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigurationError(f"CTA rules file {path}: {exc}") from None
    try:
        config = RulesConfig.model_validate(raw)
        config.onboarding_milestones()
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise ConfigurationError(f"CTA rules file {path}: {problems}") from None
    return config
