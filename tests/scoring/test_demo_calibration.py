"""Calibration on the default demo book: the band mix a CS team expects, and the right reds.

``csbot demo`` (300 accounts, a year, seed 42) then ``csbot score`` and the first
``cta_rules`` run, through the real CLI. The demo generator plants which accounts are
at risk now (``bot.sources.demo.world``); the scores must find them without ever seeing that plan,
and the first rules run must raise work for the accounts that matter, not for everyone.
"""

from __future__ import annotations

import csv
from datetime import date

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from bot.cli import app
from bot.db.models import Cta, HealthScore
from bot.db.session import make_engine, make_session_factory, unit_of_work

DEMO_END = date(2026, 11, 22)
runner = CliRunner()


def invoke(*args: str):
    from bot.cli.context import cli_services, cli_settings

    cli_settings.cache_clear()
    cli_services.cache_clear()
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result


@pytest.mark.slow
def test_default_demo_scores_a_sane_band_mix_with_the_at_risk_accounts_red(tmp_path):
    pytest.importorskip("bot.sources.demo")
    from bot.sources.demo.world import DemoConfig, Profile, plan_world

    invoke("demo", "--end-date", DEMO_END.isoformat())  # the defaults: 300 accounts, seed 42
    invoke("score", "--as-of", DEMO_END.isoformat(), "--out", "scores.csv")
    with open(tmp_path / "scores.csv", newline="", encoding="utf-8") as handle:
        rows = {row["account_id"]: row for row in csv.DictReader(handle)}

    bands = [row["band"] for row in rows.values()]
    share = {band: bands.count(band) / len(bands) for band in ("red", "yellow", "green")}
    assert 0.05 <= share["red"] <= 0.25, share
    assert 0.20 <= share["yellow"] <= 0.40, share
    assert 0.40 <= share["green"] <= 0.70, share

    world = plan_world(DemoConfig(end_date=DEMO_END))
    by_name = dict(zip(world.names, world.account_ids, strict=True))
    for name in ("Globex Corporation", "Umbrella Corporation"):  # crashing / leaving for a rival
        row = rows[by_name[name]]
        assert row["band"] == "red" and row["stage"] == "at-risk", (name, row)
    profile = {world.account_ids[i]: Profile(int(p)) for i, p in enumerate(world.profile)}
    at_risk = [rows[a]["band"] for a in rows if profile[a] == Profile.AT_RISK]
    healthy = [rows[a]["band"] for a in rows if profile[a] == Profile.HEALTHY]
    assert "green" not in at_risk and at_risk.count("red") >= 0.7 * len(at_risk)
    assert healthy.count("green") >= 0.8 * len(healthy)
    assert healthy.count("red") <= 0.02 * len(healthy)

    # Stage and band tell one story; a risky account's drivers are its risks.
    for row in rows.values():
        if row["stage"] == "at-risk":
            assert row["band"] != "green", row
            assert float(row["churn_risk"]) >= 0.5 or row["band"] == "red", row
    engine = make_engine(f"sqlite:///{tmp_path / 'var' / 'csbot.db'}")
    factory = make_session_factory(engine)
    with unit_of_work(factory) as session:
        snapshots = session.scalars(select(HealthScore).where(HealthScore.as_of == DEMO_END)).all()
        assert len(snapshots) == len(rows)
        for snapshot in snapshots:
            if snapshot.band != "green":
                assert {d["direction"] for d in snapshot.drivers} == {"negative"}, snapshot.drivers

    # The first rules run: every red account gets its CTA, most accounts get none.
    now = f"{DEMO_END.isoformat()}T12:00:00+00:00"
    invoke("jobs", "run", "cta_rules", "--now", now)
    with unit_of_work(factory) as session:
        with_cta = set(session.scalars(select(Cta.account_id).distinct()).all())
        health_ctas = set(
            session.scalars(select(Cta.account_id).where(Cta.rule == "health_risk")).all()
        )
        total = session.scalar(select(func.count(Cta.id)))
    red = {a for a, row in rows.items() if row["band"] == "red"}
    assert red <= health_ctas
    assert 0.15 <= len(with_cta) / len(rows) <= 0.40, (len(with_cta), len(rows), total)
    assert total <= 0.75 * len(rows)
    engine.dispose()
