"""The digest tells the truth: scored days only on the chart, no fake first-day changes,
money per currency in the team's format (issue 15)."""

from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import select

from bot.db.models import Account, Alert
from bot.db.session import unit_of_work
from bot.slack.charts import RED_ARR_TITLE, build_chart_figure
from jobs.digests import run_manager_digest
from jobs.runner import run_job
from tests.jobs import store
from tests.jobs.store import NOW, TODAY


def _dump(blocks) -> str:
    return json.dumps(blocks, ensure_ascii=False)


@pytest.fixture
def harness(make_harness):
    return make_harness(CSBOT_DIGEST_CHANNEL="C_DIGEST")


def _chart_spec(harness) -> dict:
    with unit_of_work(harness.services.session_factory) as session:
        row = session.scalars(
            select(Alert).where(Alert.kind == "digest_chart", Alert.channel == "C_DIGEST")
        ).one()
        return row.payload["upload"]["chart"]


def test_chart_plots_scored_days_only_and_never_a_fabricated_zero(harness, fake_slack, tmp_path):
    scored_days_ago = (0, 1, 3, 7, 14, 29)  # like `csbot run`'s backfill: gaps in between
    with unit_of_work(harness.services.session_factory) as session:
        store.add_team(session)
        store.add_account(session, "sinking", arr=100_000)
        store.add_account(session, "fine", arr=20_000)
        for days_ago in scored_days_ago:
            store.add_health(session, "sinking", days_ago, 30, "red")
            store.add_health(session, "fine", days_ago, 80, "green")
    result = run_job("manager_digest", run_manager_digest, harness.services, now=NOW)
    assert result.ok, result.error

    spec = _chart_spec(harness)
    points = spec["red_arr"]["USD"]
    assert len(points) == len(scored_days_ago) and spec["scored_days"] == 6
    assert all(value == 100_000 for _, value in points)  # no $0 on unscored days

    figure = build_chart_figure(spec)
    red_axis = figure.axes[1]
    [line] = red_axis.get_lines()
    assert list(line.get_ydata()) == [100_000.0] * 6
    assert RED_ARR_TITLE in red_axis.get_title() and "30 days" in red_axis.get_title()
    assert "6 of 30" in red_axis.get_xlabel()
    figure.canvas.draw()
    tick_labels = [t.get_text() for t in red_axis.get_yticklabels() if t.get_text()]
    assert "$100K" in tick_labels  # the team's currency format on the axis

    [digest, chart] = fake_slack.messages("C_DIGEST")
    png = fake_slack.uploads[chart.files[0]["id"]]["data"]
    assert png.startswith(b"\x89PNG")
    (tmp_path / "digest-chart.png").write_bytes(png)  # kept for a human look when debugging
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    assert buffer.getvalue().startswith(b"\x89PNG")


def test_a_scored_day_with_nothing_red_is_a_real_zero(harness):
    with unit_of_work(harness.services.session_factory) as session:
        store.add_team(session)
        store.add_account(session, "acme", arr=50_000)
        store.add_health(session, "acme", 2, 30, "red")
        store.add_health(session, "acme", 0, 75, "green")
    run_job("manager_digest", run_manager_digest, harness.services, now=NOW)
    points = _chart_spec(harness)["red_arr"]["USD"]
    assert points == [
        [(TODAY.fromordinal(TODAY.toordinal() - 2)).isoformat(), 50_000.0],
        [TODAY.isoformat(), 0.0],
    ]


def test_first_digest_says_there_is_no_comparison_yet(harness, fake_slack):
    with unit_of_work(harness.services.session_factory) as session:
        store.add_team(session)
        store.add_account(session, "sinking", arr=100_000)
        store.add_health(session, "sinking", 0, 30, "red")
    run_job("manager_digest", run_manager_digest, harness.services, now=NOW)
    [digest, _] = fake_slack.messages("C_DIGEST")
    text = _dump(digest.blocks)
    assert "first digest — no comparison yet" in text
    assert "(+1)" not in text and "(+$100,000)" not in text and "compared with" not in text
    assert "*ARR at risk*\\n$100,000" in text


def test_digest_money_is_per_currency_never_added_across(harness, fake_slack):
    with unit_of_work(harness.services.session_factory) as session:
        store.add_team(session)
        store.add_account(session, "dollars", arr=1_200)
        store.add_account(session, "euros", arr=300)
        session.get(Account, "euros").currency = "EUR"
        store.add_contract(session, "euros", "k1", ends_in_days=10, arr=300)
        for account in ("dollars", "euros"):
            store.add_health(session, account, 1, 80, "green")
            store.add_health(session, account, 0, 30, "red")
    run_job("manager_digest", run_manager_digest, harness.services, now=NOW)
    [digest, _] = fake_slack.messages("C_DIGEST")
    text = _dump(digest.blocks)
    assert "$1,200 + €300 (+$1,200, +€300)" in text
    assert "$1,500" not in text
    assert "Euros Inc — " in text and ", €300, 🔴 30" in text
    spec = _chart_spec(harness)
    assert set(spec["red_arr"]) == {"EUR", "USD"}
