"""Health answers for one account: the score and its components, and what changed.

Also the health lines the account overview shows (band, trend, override, drivers,
missing components), so a score reads the same on every card.
"""

from __future__ import annotations

from typing import Any

from bot.db.queries.records import AccountRecord, HealthSnapshot
from bot.slack import formatting as fmt
from bot.slack.blocks.account_views import HealthChangeView, HealthView
from bot.slack.blocks.answer import Blocks, bullets, facts, note, paragraph, title
from bot.slack.formatting import escape_mrkdwn

COMPONENT_LABELS = {
    "usage": "Product usage",
    "relationship": "Relationship",
    "support": "Support",
    "financial": "Financial",
    "survey": "Survey",
}
DRIVER_ICON = {"negative": "🔻", "positive": "🔺"}
MAX_DRIVERS = 5


def health_line(view: HealthView) -> str:
    """Band, score, trend and stage in one line (the override's band when one is set)."""
    snapshot = view.snapshot
    if snapshot is None:
        return "⚪ *Not scored yet* — no health snapshot for this account."
    shown_band = view.override.band if view.override else snapshot.band
    parts = [f"{fmt.band_label(shown_band)} · health *{fmt.score(snapshot.score)}*"]
    trend = []
    if view.delta_7d is not None:
        trend.append(f"{fmt.signed(view.delta_7d)} in 7 days")
    if view.delta_30d is not None:
        trend.append(f"{fmt.signed(view.delta_30d)} in 30 days")
    if trend:
        parts.append(f"{_trend_word(view.delta_30d, view.delta_7d)} ({', '.join(trend)})")
    if snapshot.stage:
        parts.append(f"stage {escape_mrkdwn(snapshot.stage)}")
    return " · ".join(parts)


def _trend_word(delta_30d: float | None, delta_7d: float | None) -> str:
    delta = delta_30d if delta_30d is not None else delta_7d
    if delta is None:
        return "→ no history"
    if delta >= 5:
        return "↗ improving"
    if delta <= -5:
        return "↘ declining"
    return "→ stable"


def override_line(view: HealthView) -> str | None:
    """Who set the band by hand, until when and why (None without an override)."""
    override, snapshot = view.override, view.snapshot
    if override is None:
        return None
    computed = f" (computed: {snapshot.band}, {fmt.score(snapshot.score)})" if snapshot else ""
    return (
        f"Band set to *{override.band}* by {escape_mrkdwn(override.created_by)} until "
        f"{fmt.day(override.until)}{computed}: “{escape_mrkdwn(override.reason)}”"
    )


def driver_lines(drivers: list[dict[str, Any]], limit: int = MAX_DRIVERS) -> list[str]:
    lines = []
    for driver in drivers[:limit]:
        text = str(driver.get("text") or "").strip()
        if text:
            icon = DRIVER_ICON.get(str(driver.get("direction")), "•")
            lines.append(f"{icon} {escape_mrkdwn(text)}")
    return lines


def missing_data_note(snapshot: HealthSnapshot | None) -> dict[str, Any] | None:
    """A note naming the components scored without data (None when none are missing)."""
    if snapshot is None or not snapshot.missing_components:
        return None
    names = ", ".join(COMPONENT_LABELS.get(c, c) for c in snapshot.missing_components)
    return note(f"No data for: {names} — left out of the score and the weights renormalised.")


def build_health_blocks(account: AccountRecord, view: HealthView) -> Blocks:
    blocks: Blocks = [title(f"Health: {account.name}")]
    blocks += paragraph(health_line(view))
    override = override_line(view)
    if override:
        blocks.append(note(override))
    snapshot = view.snapshot
    if snapshot is None:
        return blocks
    blocks += bullets("Drivers", driver_lines(snapshot.drivers))
    components = _components(snapshot)
    pairs = [(COMPONENT_LABELS.get(n, n), _component_text(c)) for n, c in components]
    if snapshot.churn_risk is not None:
        pairs.append(("Churn risk", fmt.percent(snapshot.churn_risk)))
    if snapshot.expansion is not None:
        pairs.append(("Expansion propensity", fmt.score(snapshot.expansion)))
    blocks += facts(pairs)
    if any(c.get("points") is not None for _, c in components):
        blocks.append(
            note(
                f"The points add up to the health score ({fmt.score(snapshot.score)}): each "
                "component's score × its weight in this score (the configured weight, raised "
                "for weak components, left out without data)."
            )
        )
    missing = missing_data_note(snapshot)
    if missing:
        blocks.append(missing)
    return blocks


def _component_text(component: dict[str, Any]) -> str:
    """``62.0 × 34.2% = 21.2 pts``: the score's own arithmetic, reproducible by hand.

    Snapshots scored before effective weights were stored show the configured weight,
    labelled as such: with a weak-component boost it is not what the score used.
    """
    score = _component_score(component)
    effective, points = component.get("effective_weight"), component.get("points")
    if effective is not None and points is not None:
        return f"{score} × {float(effective) * 100:.1f}% = {float(points):.1f} pts"
    weight = component.get("weight")
    if weight is None or component.get("score") is None:
        return score
    return f"{score} (configured weight {fmt.percent(float(weight))})"


def _components(snapshot: HealthSnapshot) -> list[tuple[str, dict[str, Any]]]:
    order = list(COMPONENT_LABELS)
    items = [(k, v) for k, v in snapshot.components.items() if isinstance(v, dict)]
    return sorted(items, key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order))


def _component_score(component: dict[str, Any]) -> str:
    value = component.get("score")
    return "no data" if value is None else fmt.score(float(value))


def component_deltas(
    now: HealthSnapshot, before: HealthSnapshot
) -> list[tuple[str, float | None, float | None]]:
    """(component, score before, score now) for every component, biggest move first."""
    names = list(dict.fromkeys([*now.components, *before.components]))
    rows = []
    for name in names:
        after = (now.components.get(name) or {}).get("score")
        prior = (before.components.get(name) or {}).get("score")
        rows.append(
            (
                name,
                float(prior) if prior is not None else None,
                float(after) if after is not None else None,
            )
        )

    def size(row: tuple[str, float | None, float | None]) -> float:
        _, prior, after = row
        return abs(after - prior) if prior is not None and after is not None else -1.0

    return sorted(rows, key=size, reverse=True)


def build_health_change_blocks(view: HealthChangeView) -> Blocks:
    account, now, before = view.account, view.now, view.before
    blocks: Blocks = [title(f"What changed: {account.name}")]
    if before is None:
        blocks += paragraph(
            f"{fmt.band_label(now.band)} · health *{fmt.score(now.score)}* on "
            f"{fmt.day(now.as_of)}. There is no earlier snapshot to compare with yet."
        )
        blocks += bullets("Drivers now", driver_lines(now.drivers))
        return blocks
    span = (now.as_of - before.as_of).days
    band_move = (
        f"band {before.band} → *{now.band}*" if before.band != now.band else f"band {now.band}"
    )
    blocks += paragraph(
        f"Health {fmt.score(before.score)} → *{fmt.score(now.score)}* "
        f"({fmt.signed(now.score - before.score)}) over {fmt.plural(span, 'day')} "
        f"({fmt.day(before.as_of)} → {fmt.day(now.as_of)}), {band_move}."
    )
    lines = []
    for name, prior, after in component_deltas(now, before):
        label = COMPONENT_LABELS.get(name, name)
        if prior is None and after is None:
            continue
        if prior is None:
            lines.append(f"{label}: no data → {fmt.score(after)}")
        elif after is None:
            lines.append(f"{label}: {fmt.score(prior)} → no data")
        else:
            lines.append(
                f"{label}: {fmt.score(prior)} → {fmt.score(after)} ({fmt.signed(after - prior)})"
            )
    blocks += bullets("By component", lines)
    blocks += bullets("Drivers now", driver_lines(now.drivers))
    earlier = {_driver_key(d) for d in before.drivers}
    new = [d for d in now.drivers if _driver_key(d) not in earlier]
    if new and len(new) < len(now.drivers):
        blocks += bullets("New since then", driver_lines(new))
    if view.requested_days and span > view.requested_days + 3:
        blocks.append(
            note(f"No snapshot {view.requested_days} days back; compared with the nearest one.")
        )
    return blocks


def _driver_key(driver: dict[str, Any]) -> tuple[str, ...]:
    """What a driver is about, not its wording: "150 of 900 seats active" a week after
    "198 of 900 seats active" is the same seat-utilisation driver, not a new one."""
    measure = driver.get("measure")
    if measure:
        return (str(driver.get("component")), str(measure), str(driver.get("direction")))
    return (str(driver.get("text")),)
