"""The versioned health configuration: weights, bands, thresholds, stage and model rules.

The YAML file is parsed from outside the code, so it is validated with Pydantic: a
typo in a weight or a band that overlaps another fails loudly when the file is loaded,
not as a strange score weeks later.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

CONFIG_DIR = Path(__file__).parent / "config"
#: The current version. Every earlier ``health_vN.yaml`` stays beside it, unchanged, so the
#: version named on a stored snapshot can always be read back (``config_for_version``).
DEFAULT_CONFIG_PATH = CONFIG_DIR / "health_v2.yaml"

COMPONENTS: tuple[str, ...] = ("usage", "relationship", "support", "financial", "survey")
BANDS: tuple[str, ...] = ("red", "yellow", "green")


class HealthConfigError(ValueError):
    """The health configuration file is unreadable or inconsistent."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class MeasureBounds(_Frozen):
    """Where a measure scores 0 (``bad``) and 100 (``good``); linear and clipped between."""

    bad: float
    good: float

    @model_validator(mode="after")
    def _distinct_ends(self) -> MeasureBounds:
        if self.bad == self.good:
            raise ValueError("bad and good must differ")
        return self


class MeasureRule(MeasureBounds):
    """One measure of a component: its bounds and its weight inside the component."""

    weight: float = Field(gt=0)


class ComponentRule(_Frozen):
    weight: float = Field(gt=0)
    measures: dict[str, MeasureRule]


class BandRule(_Frozen):
    yellow_from: float = Field(gt=0, lt=100)
    green_from: float = Field(gt=0, le=100)

    @model_validator(mode="after")
    def _ordered(self) -> BandRule:
        if not self.yellow_from < self.green_from:
            raise ValueError("yellow_from must be below green_from")
        return self


class DriverRule(_Frozen):
    top_n: int = Field(5, ge=1, le=10)  # stored with each snapshot
    summary_n: int = Field(3, ge=1, le=10)  # shown in one-line summaries (CSV, lists)
    risk_measure_below: float = Field(75, gt=0, le=100)  # a risky account's drivers: below this


class ExpansionRule(_Frozen):
    weights: dict[str, float]


class StageRule(_Frozen):
    onboarding_days: int = Field(ge=0)
    renewal_window_days: int = Field(ge=0)
    at_risk_churn_risk: float = Field(gt=0, le=1)
    growth_min_expansion: float = Field(ge=0, le=100)


class RiskBandRule(_Frozen):
    """Churn risk bands (low / medium / high), used to measure how often a risk flips."""

    medium_from: float = Field(0.2, gt=0, lt=1)
    high_from: float = Field(0.5, gt=0, lt=1)

    @model_validator(mode="after")
    def _ordered(self) -> RiskBandRule:
        if not self.medium_from < self.high_from:
            raise ValueError("medium_from must be below high_from")
        return self


class ChurnModelRule(_Frozen):
    horizon_days: int = Field(gt=0)
    """The lead time quoted when one number is needed (the CSM's warning)."""
    lead_days: tuple[int, ...] = (15, 30, 60, 90, 120, 180)
    """Training samples per outcome: features this many days before it (each only from
    data before that day), so the model sees every distance from renewal it is used at."""
    calibration_fraction: float = Field(gt=0, lt=0.5)
    test_fraction: float = Field(gt=0, lt=0.5)
    min_outcomes: int = Field(ge=10)
    backtest_step_days: int = Field(14, ge=1, le=90)
    """Point-in-time back-test: score every account every this many days (and the day
    after, for the day-to-day flip rate)."""
    backtest_max_lead_days: int = Field(365, ge=30)
    risk_bands: RiskBandRule = Field(default_factory=RiskBandRule)
    max_daily_change: float = Field(0.10, gt=0, le=1)
    """A stable risk moves less than this from one day to the next (reported, not forced)."""

    @model_validator(mode="after")
    def _leads(self) -> ChurnModelRule:
        if not self.lead_days or min(self.lead_days) <= 0:
            raise ValueError("lead_days must be positive days before the outcome")
        return self


class HealthConfig(_Frozen):
    """One version of the health model; snapshots store ``version`` beside every score."""

    version: str
    components: dict[str, ComponentRule]
    segment_bounds: dict[str, dict[str, MeasureBounds]] = Field(default_factory=dict)
    """Per account segment, measures judged on other bounds than the component's (e.g.
    contact recency for tech-touch accounts). Segments not listed use the defaults."""
    weak_component_boost: float = Field(0.0, ge=0, le=1)
    """How much more a weak component weighs: weight x (1 + boost x (100 - score) / 100).
    0 is the plain weighted mean; at most 1, so raising a component never lowers health."""
    bands: BandRule
    hysteresis_margin: float = Field(ge=0, lt=30)
    no_data_score: float = Field(ge=0, le=100)
    drivers: DriverRule
    expansion: ExpansionRule
    stages: StageRule
    churn_model: ChurnModelRule

    @model_validator(mode="after")
    def _known_components(self) -> HealthConfig:
        if set(self.components) != set(COMPONENTS):
            raise ValueError(f"components must be exactly {', '.join(COMPONENTS)}")
        expected = {"usage_growth", "seat_utilisation", "feature_adoption"}
        expected |= {"promoter_nps", "renewal_health"}
        if set(self.expansion.weights) != expected:
            raise ValueError(f"expansion.weights must be exactly {', '.join(sorted(expected))}")
        known = set(self.measure_rules())
        for segment, bounds in self.segment_bounds.items():
            unknown = sorted(set(bounds) - known)
            if unknown:
                raise ValueError(f"segment_bounds.{segment}: unknown measures {', '.join(unknown)}")
        return self

    @property
    def component_weights(self) -> dict[str, float]:
        return {name: self.components[name].weight for name in COMPONENTS}

    def measure_rules(self) -> dict[str, tuple[str, MeasureRule]]:
        """Every measure name with its component, in config order."""
        return {
            measure: (component, rule)
            for component in COMPONENTS
            for measure, rule in self.components[component].measures.items()
        }

    def bounds_by_segment(self, measure: str) -> dict[str, MeasureBounds]:
        """The segments that judge ``measure`` on their own bounds, with those bounds."""
        return {
            segment: bounds[measure]
            for segment, bounds in self.segment_bounds.items()
            if measure in bounds
        }

    def with_component_weights(self, weights: dict[str, float]) -> HealthConfig:
        """A copy with other component weights (used to evaluate proposed weights)."""
        components = {
            name: rule.model_copy(update={"weight": max(weights.get(name, 0.0), 1e-9)})
            for name, rule in self.components.items()
        }
        return self.model_copy(update={"components": components})


def load_health_config(path: Path | None = None) -> HealthConfig:
    """Read and validate a health config file (the current version when ``path`` is None).

    Raises:
        HealthConfigError: naming the file and every problem found in it.
    """
    config_path = path or DEFAULT_CONFIG_PATH
    if path is None:
        return _default_config()
    return _parse(config_path)


def config_for_version(version: str) -> HealthConfig:
    """The packaged config that produced snapshots stamped ``version`` (e.g. "health_v1").

    Raises:
        HealthConfigError: when no packaged file carries that version.
    """
    path = CONFIG_DIR / f"{version}.yaml"
    if not path.name.startswith("health_v") or not path.is_file():
        known = ", ".join(sorted(p.stem for p in CONFIG_DIR.glob("health_v*.yaml")))
        raise HealthConfigError(f"no packaged health config {version!r}; known: {known}")
    return _parse(path)


@lru_cache(maxsize=1)
def _default_config() -> HealthConfig:
    return _parse(DEFAULT_CONFIG_PATH)


def _parse(config_path: Path) -> HealthConfig:
    try:
        raw = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise HealthConfigError(f"{config_path}: cannot read health config: {exc}") from None
    try:
        return HealthConfig.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc']) or 'file'}: {error['msg']}"
            for error in exc.errors()
        )
        raise HealthConfigError(f"{config_path}: {problems}") from None
