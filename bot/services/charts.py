"""Digest charts: health distribution and ARR at risk over 30 days, as one PNG.

matplotlib is imported here, lazily, with the Agg backend: no display is needed and
nothing on the question path pays for the import.
"""

from __future__ import annotations

import io
from datetime import date
from typing import Any

BAND_EDGES = (40, 70)


def render_chart_png(spec: dict[str, Any]) -> bytes:
    """Draw the digest chart from its JSON spec (see ``PortfolioDigest.chart_spec``)."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    from matplotlib.figure import Figure

    figure = Figure(figsize=(9, 3.4), dpi=100)
    left, right = figure.subplots(1, 2)
    scores = spec.get("scores") or []
    bins = list(range(0, 105, 5))
    left.hist(scores, bins=bins, color="#4a7bd0", edgecolor="white")
    for edge, colour in zip(BAND_EDGES, ("#d9534f", "#f0ad4e"), strict=True):
        left.axvline(edge, color=colour, linestyle="--", linewidth=1)
    left.set_title("Health distribution")
    left.set_xlabel("health score")
    left.set_ylabel("accounts")
    series = spec.get("red_arr") or []
    days = [date.fromisoformat(d) for d, _ in series]
    values = [v / 1000 for _, v in series]
    right.plot(days, values, color="#d9534f", marker="o", markersize=2)
    right.fill_between(days, values, color="#d9534f", alpha=0.15)
    right.set_title("ARR at risk (red), last 30 days")
    right.set_ylabel("$k")
    right.tick_params(axis="x", labelrotation=45, labelsize=7)
    figure.suptitle(str(spec.get("title", "")), fontsize=10)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
