"""The template drafter on every account of a small demo world: zero unsupported claims.

The demo is built, scored and run through the CTA rules with the real CLI, so the packs
hold what production packs hold (drivers from scoring, CTAs and their playbooks).
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select

from bot.db.models import Account
from bot.db.session import unit_of_work
from bot.services.drafting.facts import build_facts_pack
from bot.services.drafting.grounding import GroundingIndex, check_grounding
from bot.services.drafting.template import template_email, template_summary
from bot.services.drafting.types import PURPOSES, TONES, choose_recipient
from tests.drafting.grammar import grammar_errors
from tests.support.cli import invoke as invoke_cli

DEMO_END = date(2026, 5, 15)


def invoke(*args: str):
    result = invoke_cli(*args)
    assert result.exit_code == 0, result.output
    return result


def test_every_demo_account_gets_fully_grounded_template_drafts():
    pytest.importorskip("bot.sources.demo")
    invoke("demo", "--accounts", "40", "--days", "200", "--end-date", DEMO_END.isoformat())
    invoke("score", "--as-of", DEMO_END.isoformat())
    invoke("jobs", "run", "cta_rules", "--now", f"{DEMO_END.isoformat()}T12:00:00+00:00")
    from bot.cli.context import cli_services

    services = cli_services()
    with unit_of_work(services.session_factory) as session:
        account_ids = session.scalars(select(Account.account_id)).all()
    assert len(account_ids) == 40

    failures: list[str] = []
    health_seen = playbooks_seen = 0
    for number, account_id in enumerate(account_ids):
        pack = build_facts_pack(services, account_id, today=DEMO_END)
        health_seen += pack.health is not None
        playbooks_seen += bool(pack.playbook_steps)
        index = GroundingIndex.from_pack(pack)
        drafts = [("summary", template_summary(pack))]
        for purpose in PURPOSES:
            tone = TONES[number % len(TONES)]
            recipient = choose_recipient(pack, purpose)
            drafts.append((purpose, template_email(pack, purpose=purpose, tone=tone, to=recipient)))
        for label, draft in drafts:
            report = check_grounding([("subject", draft.subject), ("body", draft.body)], index)
            failures += [f"{account_id} {label}: {c.label()}" for c in report.unsupported]
            failures += [f"{account_id} {label}: grammar: {e}" for e in grammar_errors(draft.body)]

    assert failures == []
    assert health_seen >= 30 and playbooks_seen >= 10  # the packs really were rich

    # The same walk through `csbot draft`, as a CSM runs it: a summary and one email each.
    adapted = 0
    for number, account_id in enumerate(account_ids):
        purpose = PURPOSES[number % len(PURPOSES)]
        for args in (("summary", account_id), ("email", account_id, "--purpose", purpose)):
            data = json.loads(
                invoke("draft", *args, "--json", "--as-of", DEMO_END.isoformat()).stdout
            )
            label = f"{account_id} {' '.join(args[2:]) or 'summary'}"
            failures += [f"{label}: {claim}" for claim in data["grounding"]["unsupported"]]
            failures += [f"{label}: grammar: {e}" for e in grammar_errors(data["body"])]
            if args[0] == "summary" and data["body"].startswith("*Risks*"):
                adapted += 1
            if "[unverified" in data["body"]:
                failures.append(f"{label}: marked unverified")

    assert failures == []
    assert adapted >= 10  # accounts with concerns had their brief lead with the risks
