"""Each CTA rule fires where it should and nowhere else, on a small hand-built store."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.db.models import Cta
from bot.db.session import unit_of_work
from bot.services.ctas.raising import raise_ctas
from bot.services.ctas.rules_config import load_rules_config
from tests.jobs import store
from tests.jobs.store import NOW, TODAY


def build_rule_store(session) -> None:
    store.add_team(session)
    a = store.add_account
    # health: turned red / dropped 17 points fire; small drop and stable do not
    for account_id in ("red1", "drop17", "drop13", "stable"):
        a(session, account_id)
    store.add_health(session, "red1", 1, 55, "yellow")
    store.add_health(session, "red1", 0, 33, "red")
    store.add_health(session, "drop17", 31, 75, "green")
    store.add_health(session, "drop17", 0, 58, "yellow")
    store.add_health(session, "drop13", 31, 70, "green")
    store.add_health(session, "drop13", 0, 57, "yellow")
    store.add_health(session, "stable", 31, 74, "green")
    store.add_health(session, "stable", 0, 72, "green")
    # usage: down 60% fires, down 40% does not
    a(session, "udrop")
    store.add_usage(session, "udrop", days=30, events=100, start_days_ago=31)
    store.add_usage(session, "udrop", days=30, events=40)
    a(session, "uflat")
    store.add_usage(session, "uflat", days=30, events=100, start_days_ago=31)
    store.add_usage(session, "uflat", days=30, events=60)
    # logins: last login 26 days ago fires; yesterday does not
    a(session, "idle")
    store.add_usage(session, "idle", days=30, events=10, logins=3, start_days_ago=26)
    store.add_usage(session, "idle", days=25, events=10, logins=0)
    # NPS: 4 two days ago fires; 7, and 3 a month ago, do not
    for account_id in ("detractor", "passive", "old_detractor"):
        a(session, account_id)
    store.add_nps(session, "detractor", "n1", 4, 2)
    store.add_nps(session, "passive", "n2", 7, 2)
    store.add_nps(session, "old_detractor", "n3", 3, 30)
    store.add_nps(session, "detractor", "n5", 2, 3)  # a second detractor: still one CTA
    # tickets: urgent open and escalated fire; solved urgent and normal do not
    for account_id in ("urgent", "escalated", "solved", "normal"):
        a(session, account_id)
    store.add_ticket(session, "urgent", "t1", priority="urgent")
    store.add_ticket(session, "escalated", "t2", escalated=True)
    store.add_health(session, "escalated", 0, 72, "green")  # drivers for its alert; no rule
    store.add_ticket(session, "solved", "t3", priority="urgent", status="solved")
    store.add_ticket(session, "normal", "t4")
    # invoices: failed and open-past-due fire; paid and open-not-yet-due do not
    for account_id in ("failed", "pastdue", "paid", "notdue"):
        a(session, account_id)
    store.add_invoice(session, "failed", "i1", status="failed")
    store.add_invoice(session, "pastdue", "i2", status="open")
    store.add_invoice(session, "paid", "i3", status="paid", paid=True)
    store.add_invoice(session, "notdue", "i4", status="open", due_days_ago=-10)
    # champions: gone and quiet for 95 days fire; contacted 60 days ago does not, nor one
    # whose CRM date is 95 days old but who was met 10 days ago (a logged interaction)
    for account_id in ("champ_gone", "champ_quiet", "champ_ok", "champ_met"):
        a(session, account_id)
    store.add_champion(session, "champ_gone", "c1", active=False)
    store.add_champion(session, "champ_quiet", "c2", contacted_days_ago=95)
    store.add_champion(session, "champ_ok", "c3", contacted_days_ago=60)
    store.add_champion(session, "champ_met", "c4", contacted_days_ago=95)
    store.add_interaction(session, "champ_met", "m2", days_ago=10, contact_id="c4")
    # expansion: usage +80% on a green account fires; the same growth on a red one does not
    a(session, "grow")
    store.add_health(session, "grow", 0, 80, "green")
    store.add_usage(session, "grow", days=30, events=100, start_days_ago=31)
    store.add_usage(session, "grow", days=30, events=180)
    store.add_nps(session, "grow", "n4", 10, 20)  # a second signal: promoter
    a(session, "grow_alone")  # growth alone is not enough (min_signals: 2)
    store.add_health(session, "grow_alone", 0, 80, "green")
    store.add_usage(session, "grow_alone", days=30, events=100, start_days_ago=31)
    store.add_usage(session, "grow_alone", days=30, events=180)
    a(session, "grow_red")
    store.add_health(session, "grow_red", 1, 30, "red")
    store.add_health(session, "grow_red", 0, 30, "red")
    store.add_usage(session, "grow_red", days=30, events=100, start_days_ago=31)
    store.add_usage(session, "grow_red", days=30, events=180)
    # renewals: 58 and 100 days away fire (milestones 60 and 120); 200 days does not
    for account_id in ("renew58", "renew100", "renew200"):
        a(session, account_id)
    store.add_contract(session, "renew58", "k1", ends_in_days=58)
    store.add_contract(session, "renew100", "k2", ends_in_days=100)
    store.add_contract(session, "renew200", "k3", ends_in_days=200)
    # onboarding: 20 days in with no login and no kickoff fires twice; on-track does not
    a(session, "newbie", since=TODAY - timedelta(days=20))
    a(session, "on_track", since=TODAY - timedelta(days=20))
    store.add_usage(session, "on_track", days=15, events=50, logins=4, active_users=40)
    store.add_interaction(session, "on_track", "m1", days_ago=15)


EXPECTED = {
    ("red1", "health_risk"),
    ("drop17", "health_risk"),
    ("udrop", "usage_drop"),
    ("idle", "no_logins"),
    ("detractor", "nps_detractor"),
    ("urgent", "support_escalation"),
    ("escalated", "support_escalation"),
    ("failed", "payment_failure"),
    ("pastdue", "payment_failure"),
    ("champ_gone", "champion_inactive"),
    ("champ_quiet", "champion_inactive"),
    ("grow", "expansion"),
    ("renew58", "renewal"),
    ("renew100", "renewal"),
    ("newbie", "onboarding_late"),
}


def _raise(services):
    rules = load_rules_config()
    with unit_of_work(services.session_factory) as session:
        return raise_ctas(session, settings=services.settings, rules=rules, now=NOW)


def test_each_rule_fires_exactly_where_it_should(services):
    with unit_of_work(services.session_factory) as session:
        build_rule_store(session)
    report = _raise(services)
    with unit_of_work(services.session_factory) as session:
        ctas = session.scalars(select(Cta)).all()
    assert {(c.account_id, c.rule) for c in ctas} == EXPECTED
    assert report.created == len(ctas) == 16  # the newbie misses two milestones
    by_key = {(c.account_id, c.rule, c.details.get("milestone")): c for c in ctas}
    renewal58 = by_key[("renew58", "renewal", 60)]
    assert renewal58.priority == "high" and "58 days" in renewal58.reason
    assert by_key[("renew100", "renewal", 120)].priority == "medium"
    newbie = {c.details["milestone"] for c in ctas if c.account_id == "newbie"}
    assert newbie == {"first_login", "kickoff"}
    drop = next(c for c in ctas if c.account_id == "drop17")
    assert "dropped 17 points" in drop.reason and "75 → 58" in drop.reason
    usage = next(c for c in ctas if c.rule == "usage_drop")
    assert "down 60%" in usage.reason
    idle = next(c for c in ctas if c.rule == "no_logins")
    assert "26 days" in idle.reason
    nps = next(c for c in ctas if c.rule == "nps_detractor")
    assert nps.due_date == TODAY + timedelta(days=2) and nps.priority == "high"
    for cta in ctas:
        assert cta.owner_csm_id == "ana" and cta.status == "open" and cta.playbook_id


def test_rerunning_the_rules_creates_nothing_new(sqlite_services):
    with unit_of_work(sqlite_services.session_factory) as session:
        build_rule_store(session)
    first = _raise(sqlite_services)
    again = _raise(sqlite_services)
    next_day = load_rules_config()
    with unit_of_work(sqlite_services.session_factory) as session:
        tomorrow = raise_ctas(
            session, settings=sqlite_services.settings, rules=next_day, now=NOW + timedelta(days=1)
        )
    assert first.created == 16
    assert again.created == 0
    # ongoing problems are not raised again while their CTA is open
    assert tomorrow.created == 0 and tomorrow.suppressed > 0


def test_a_bad_rules_file_names_the_file_and_field(tmp_path):
    from bot.errors import ConfigurationError

    bad = tmp_path / "rules.yaml"
    bad.write_text("version: x\nrules:\n  usage_drop: {playbook: p, type: risk, priority: huge}\n")
    with pytest.raises(ConfigurationError) as excinfo:
        load_rules_config(bad)
    assert "rules.yaml" in str(excinfo.value) and "priority" in str(excinfo.value)
