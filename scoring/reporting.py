"""Plain-text renderings of the model report and one account's health (for the terminal).

They work on plain dicts (the JSON saved beside the model, the snapshot's JSON columns)
so printing a report never needs scikit-learn or a database.
"""

from __future__ import annotations

from typing import Any

from scoring.config import COMPONENTS

_METRIC_ROWS = (
    ("AUC", "auc", "{:.3f}"),
    ("F1", "f1", "{:.3f}"),
    ("decision threshold", "threshold", "{:.3f}"),
    ("precision, riskiest 10%", "precision_at_top_10pct", "{:.3f}"),
    ("Brier score", "brier", "{:.4f}"),
    ("outcomes (churned)", None, ""),
)


def _fmt(value: Any, pattern: str) -> str:
    return "n/a" if value is None else pattern.format(value)


def format_model_report(report: dict[str, Any]) -> str:
    """The ``csbot model report`` text: held-out metrics, model vs rules, calibration, weights."""
    model, rules = report["model_test"], report["rule_test"]
    lines = [
        f"Churn model report (trained {report['trained_at']}, config {report['config_version']}, "
        f"features {report['horizon_days']} days before each renewal outcome)",
        "",
        "Time-ordered splits:",
    ]
    for split in report["splits"]:
        lines.append(
            f"  {split['name']:<12} {split['count']:>5} outcomes, {split['churned']:>4} churned, "
            f"{split['first_outcome']} .. {split['last_outcome']}"
        )
    lines += ["", f"Held-out test slice (chosen model: {report['chosen']}):"]
    lines.append(f"  {'metric':<26}{'churn model':>14}{'rule-based health':>20}")
    for label, key, pattern in _METRIC_ROWS:
        if key is None:
            left = f"{model['count']} ({model['positives']})"
            right = f"{rules['count']} ({rules['positives']})"
        else:
            left, right = _fmt(model[key], pattern), _fmt(rules[key], pattern)
        lines.append(f"  {label:<26}{left:>14}{right:>20}")
    lines += ["", "Candidates (AUC on the calibration slice picks; test AUC shown for reference):"]
    for candidate in report["candidates"]:
        lines.append(
            f"  {candidate['name']:<22} selection AUC {_fmt(candidate['selection_auc'], '{:.3f}')}"
            f"   test AUC {_fmt(candidate['test']['auc'], '{:.3f}')}"
        )
    for title, metrics in (("churn model", model), ("rule-based health", rules)):
        lines += ["", f"Calibration on the test slice, {title}:"]
        lines.append(f"  {'predicted':<14}{'n':>6}{'mean predicted':>16}{'observed churn':>16}")
        for row in metrics["calibration"]:
            lines.append(
                f"  {row['lower']:.1f}-{row['upper']:.1f}{'':<7}{row['count']:>6}"
                f"{row['mean_predicted']:>16.3f}{row['observed_rate']:>16.3f}"
            )
    lines += [
        "",
        "Component weights (current -> proposed, fitted to outcomes on train+calibration):",
    ]
    current, proposed = report["current_weights"], report["proposed_weights"]
    for name in COMPONENTS:
        lines.append(f"  {name:<14}{current[name]:>6.0f} -> {proposed[name]:>4.0f}")
    current_auc = _fmt(rules["auc"], "{:.3f}")
    proposed_auc = _fmt(report["proposed_weights_test_auc"], "{:.3f}")
    lines.append(
        f"  rule-based health AUC on the test slice: current weights {current_auc}, "
        f"proposed weights {proposed_auc}"
    )
    lines += ["", *(f"Note: {note}" for note in report.get("notes", []))]
    return "\n".join(lines)


def format_health_overview(
    *,
    account_id: str,
    account_name: str,
    as_of: str,
    score: float,
    band: str,
    computed_band: str,
    components: dict[str, Any],
    drivers: list[dict[str, Any]],
    missing_components: list[str],
    churn_risk: float | None,
    expansion: float | None,
    stage: str | None,
    delta_7d: float | None,
    delta_30d: float | None,
    override: dict[str, Any] | None,
) -> str:
    """One account's health as shown by ``csbot health show``; an override sits beside the score."""
    trend = ", ".join(
        f"{label} {value:+.1f}"
        for label, value in (("7d", delta_7d), ("30d", delta_30d))
        if value is not None
    )
    lines = [f"{account_name} ({account_id}) — health as of {as_of}"]
    headline = f"  score {score:.1f} ({band})"
    if band != computed_band:
        headline += f" [computed band {computed_band}, held by hysteresis]"
    if trend:
        headline += f"; change {trend}"
    lines.append(headline)
    if override is not None:
        lines.append(
            f"  CSM override: {override['band']} until {override['until']} by {override['by']}: "
            f"{override['reason']} (computed score {score:.1f} {band})"
        )
    risk = "n/a" if churn_risk is None else f"{churn_risk:.0%}"
    shown_expansion = "n/a" if expansion is None else f"{expansion:.1f}"
    lines.append(f"  churn risk {risk}; expansion {shown_expansion}; stage {stage}")
    lines.append("  components:")
    for name in COMPONENTS:
        component = components.get(name) or {}
        value = component.get("score")
        shown = "no data (left out, weights renormalised)" if value is None else f"{value:.1f}"
        lines.append(f"    {name:<14}{shown}")
    if missing_components:
        lines.append(f"  left out for lack of data: {', '.join(missing_components)}")
    lines.append("  drivers:")
    lines.extend(f"    - {driver['text']}" for driver in drivers)
    return "\n".join(lines)
