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
    leads = report.get("lead_days") or [report["horizon_days"]]
    lines = [
        f"Churn model report (trained {report['trained_at']}, config {report['config_version']}, "
        f"features {', '.join(str(lead) for lead in leads)} days before each renewal outcome)",
        "",
        _risk_source_line(report),
        "",
        "Time-ordered splits (one sample per outcome and lead time; accounts never on two sides):",
    ]
    for split in report["splits"]:
        purged = f", {split['purged']} purged" if split.get("purged") else ""
        lines.append(
            f"  {split['name']:<12} {split.get('outcomes', split['count']):>5} outcomes "
            f"({split['count']} samples, {split['churned']} churned, "
            f"{split.get('accounts', 0)} accounts{purged}), "
            f"{split['first_outcome']} .. {split['last_outcome']}"
        )
    lines += ["", *format_backtest(report.get("backtest") or {})]
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


def _risk_source_line(report: dict[str, Any]) -> str:
    source = report.get("risk_source", "model")
    shown = "the churn model" if source == "model" else "the calibrated health score"
    reason = report.get("risk_source_reason") or ""
    return f"churn_risk comes from {shown}. {reason[:1].upper()}{reason[1:]}".rstrip()


def format_backtest(backtest: dict[str, Any]) -> list[str]:
    """The point-in-time back-test table: by lead-time bucket, model vs health."""
    if not backtest:
        return ["Point-in-time back-test: no past day had a known next renewal in the test slice."]
    days = backtest["days"]
    lines = [
        f"Point-in-time back-test ({len(days)} days {days[0]} .. {days[-1]}, every account "
        "scored as `csbot score --as-of D` would, against its next renewal):",
        f"  {'days to renewal':<16}{'n (churned)':>14}{'AUC model':>11}{'health':>8}"
        f"{'Brier model':>13}{'health':>8}{'prec@10% model':>16}{'health':>8}",
    ]
    for row in backtest["buckets"]:
        model, health = row["model"], row["health"]
        lines.append(
            f"  {row['bucket']:<16}{row['count']:>8} ({row['churned']:>3})"
            f"{_fmt(model['auc'], '{:.3f}'):>11}{_fmt(health['auc'], '{:.3f}'):>8}"
            f"{_fmt(model['brier'], '{:.4f}'):>13}{_fmt(health['brier'], '{:.4f}'):>8}"
            f"{_fmt(model['precision_at_top_10pct'], '{:.3f}'):>16}"
            f"{_fmt(health['precision_at_top_10pct'], '{:.3f}'):>8}"
        )
    for title, key in (("model", "model_stability"), ("health", "health_stability")):
        figures = backtest.get(key) or {}
        if not figures.get("pairs"):
            continue
        lines.append(
            f"  stability, {title}: risk band (low/medium/high) flips day to day in "
            f"{_fmt(figures['band_flip_rate'], '{:.1%}')} of {figures['pairs']} account-day pairs; "
            f"moves more than {figures['max_daily_change']:.2f} in "
            f"{_fmt(figures['jump_rate'], '{:.1%}')}"
        )
    return lines


def format_weights_review(
    *,
    current: dict[str, float],
    proposed: dict[str, float],
    comparison: list[dict[str, Any]],
) -> str:
    """``csbot model apply-weights``: the weights and their back-test, side by side."""
    total_current, total_proposed = sum(current.values()), sum(proposed.values())
    lines = ["Component weights (share of 100):"]
    for name in COMPONENTS:
        lines.append(
            f"  {name:<14}{current[name] / total_current * 100:>6.0f} -> "
            f"{proposed[name] / total_proposed * 100:>4.0f}"
        )
    lines += [
        "",
        "Point-in-time back-test of the health score (test-slice renewals), current vs proposed:",
        f"  {'days to renewal':<16}{'n (churned)':>14}{'AUC current':>13}{'proposed':>10}"
        f"{'prec@10% current':>18}{'proposed':>10}",
    ]
    for row in comparison:
        lines.append(
            f"  {row['bucket']:<16}{row['count']:>8} ({row['churned']:>3})"
            f"{_fmt(row['current_auc'], '{:.3f}'):>13}{_fmt(row['proposed_auc'], '{:.3f}'):>10}"
            f"{_fmt(row['current_precision_at_top_10pct'], '{:.3f}'):>18}"
            f"{_fmt(row['proposed_precision_at_top_10pct'], '{:.3f}'):>10}"
        )
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
    risk_source: str | None = None,
    risk_drivers: list[str] | None = None,
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
    source = {"model": " (churn model)", "health": " (calibrated health score)"}.get(
        risk_source or "", ""
    )
    lines.append(f"  churn risk {risk}{source}; expansion {shown_expansion}; stage {stage}")
    if risk_drivers:
        lines.append("  churn risk drivers (vs a typical account):")
        lines.extend(f"    - {text}" for text in risk_drivers)
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
