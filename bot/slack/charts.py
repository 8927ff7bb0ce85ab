"""Digest charts: health distribution and ARR at risk over 30 days, as one PNG.

matplotlib is imported here, lazily, with the Agg backend: no display is needed and
nothing on the question path pays for the import.

The ARR line plots scored days only (markers on the days that have snapshots) over
the full 30-day window, so a day nobody scored is a visible gap, never a fabricated
$0; money on the axis uses the team's format (``bot.money``), one line per currency.
"""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

from bot.money import DEFAULT_LOCALE, format_compact_money

BAND_EDGES = (40, 70)
LINE_COLOURS = ("#d9534f", "#5b6bbf", "#2f9e6e", "#9a6b2f")
RED_ARR_TITLE = "ARR at risk (red or at-risk stage)"


def red_arr_series(spec: dict[str, Any]) -> dict[str, list[tuple[date, float]]]:
    """Currency → (day, ARR) points the chart draws; reads older specs (one USD list) too."""
    raw = spec.get("red_arr") or {}
    if isinstance(raw, list):  # specs queued before per-currency series
        raw = {"USD": raw}
    return {
        currency: [(date.fromisoformat(day), float(value)) for day, value in points]
        for currency, points in raw.items()
    }


def _window(spec: dict[str, Any], series: dict[str, list[tuple[date, float]]]) -> tuple[date, date]:
    if spec.get("window"):
        start, end = spec["window"]
        return date.fromisoformat(start), date.fromisoformat(end)
    days = [d for points in series.values() for d, _ in points] or [date.today()]
    return min(days), max(days)


def render_chart_png(spec: dict[str, Any]) -> bytes:
    """Draw the digest chart from its JSON spec (see ``PortfolioDigest.chart_spec``)."""
    figure = build_chart_figure(spec)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def build_chart_figure(spec: dict[str, Any]) -> Any:
    """The matplotlib Figure behind :func:`render_chart_png` (its lines hold the plotted data)."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    from matplotlib.dates import DateFormatter, DayLocator
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    locale = str(spec.get("locale") or DEFAULT_LOCALE)
    figure = Figure(figsize=(10, 3.8), dpi=100)
    left, right = figure.subplots(1, 2, gridspec_kw={"width_ratios": (1, 1.3)})
    scores = spec.get("scores") or []
    left.hist(scores, bins=list(range(0, 105, 5)), color="#4a7bd0", edgecolor="white")
    for edge, colour in zip(BAND_EDGES, ("#d9534f", "#f0ad4e"), strict=True):
        left.axvline(edge, color=colour, linestyle="--", linewidth=1)
    left.set_title(f"Health scores today ({len(scores)} accounts)", fontsize=10)
    left.set_xlabel("health score (red < 40 ≤ yellow < 70 ≤ green)", fontsize=8)
    left.set_ylabel("accounts")
    left.set_xlim(0, 100)
    left.yaxis.set_major_locator(MaxNLocator(integer=True))

    series = red_arr_series(spec)
    start, end = _window(spec, series)
    for (currency, points), colour in zip(sorted(series.items()), LINE_COLOURS * 4, strict=False):
        if not points:
            continue
        days = [d for d, _ in points]
        values = [v for _, v in points]
        right.plot(
            days, values, color=colour, marker="o", markersize=4, linewidth=1.5, label=currency
        )
    right.set_xlim(start - timedelta(hours=12), end + timedelta(hours=12))
    peak = max((v for points in series.values() for _, v in points), default=0.0)
    right.set_ylim(bottom=0, top=peak * 1.15 if peak > 0 else 1)
    only = next(iter(series)) if len(series) == 1 else None
    right.yaxis.set_major_formatter(
        FuncFormatter(lambda value, _: format_compact_money(value, only or "USD", locale=locale))
        if only
        else FuncFormatter(lambda value, _: f"{value:,.0f}")
    )
    right.xaxis.set_major_locator(DayLocator(interval=5))
    right.xaxis.set_major_formatter(DateFormatter("%d %b"))
    right.tick_params(axis="x", labelsize=8)
    scored = int(spec.get("scored_days", len({d for pts in series.values() for d, _ in pts})))
    total = (end - start).days + 1
    right.set_title(f"{RED_ARR_TITLE}, last {total} days", fontsize=10)
    right.set_xlabel(f"scored days only ({scored} of {total}); gaps = not scored", fontsize=8)
    right.set_ylabel("ARR at risk" + (f" ({only})" if only else ""))
    right.grid(axis="y", alpha=0.3)
    if len(series) > 1:
        right.legend(fontsize=8, title="currency (not added)", title_fontsize=8)
    if not any(series.values()):
        right.text(0.5, 0.5, "no scored days yet", ha="center", transform=right.transAxes)
    figure.suptitle(str(spec.get("title", "")), fontsize=11)
    figure.tight_layout()
    return figure
