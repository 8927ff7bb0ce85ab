"""Benchmark: a full Zendesk sync of 200,000 tickets (1,000 per export page), against a reference.

The fake Zendesk (tests/support/fake_zendesk.py: the recorded export shapes) runs in
its own child process, so its records are in nobody's memory figure. Beside
``csbot sync run zendesk`` (plain httpx; the pages waiting when the importer is free
go in one transaction with the last one's cursor) the same run times a reference:
the same pages fetched with plain httpx, written as contract CSVs and loaded with
``import_folder`` (``csbot import``) in one transaction. Each side runs in its own
child process, so its peak RSS is its own; the sync side also samples its RSS after
each page, to show memory stays flat while it pages.

Targets: sync ≤ 1.5 × reference; RSS flat over the run.

    .venv/bin/python bench/bench_sync_zendesk.py [--tickets 200000] [--organizations 2000]
"""

from __future__ import annotations

import argparse
import base64
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._process import cpu_seconds, current_rss_mib, peak_rss_mib, run_side  # noqa: E402


def serve(tickets: int, organizations: int, info_file: Path) -> None:
    from tests.support.fake_zendesk import FakeZendesk

    fake = FakeZendesk().start()
    fake.generate(tickets, organizations=organizations, users_per_org=2)
    info_file.write_text(
        json.dumps({"url": fake.base_url, "email": fake.email, "token": fake.api_token})
    )
    while True:
        time.sleep(3600)


def side_sync(database: Path) -> dict[str, object]:
    from bot.db.migrate import upgrade_to_head
    from bot.db.session import make_engine
    from bot.settings import load_settings
    from bot.sources.sync.engine import run_source
    from bot.sources.sync.registry import build_connector

    settings = load_settings()
    engine = make_engine(f"sqlite:///{database}")
    upgrade_to_head(engine)
    samples: list[float] = []

    def sample(run: object) -> None:
        samples.append(current_rss_mib())

    started, cpu = time.perf_counter(), cpu_seconds()
    runs = run_source(build_connector("zendesk", settings), engine, on_page=sample)
    seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    assert all(run.ok for run in runs), [run.error for run in runs]
    tenth = samples[min(10, len(samples) - 1)] if samples else 0.0
    return {
        "rows": sum(run.rows_changed for run in runs),
        "pages": sum(run.pages for run in runs),
        "seconds": seconds,
        "cpu_seconds": cpu,
        "peak_rss_mib": peak_rss_mib(),
        "rss_page_10_mib": tenth,
        "rss_last_page_mib": samples[-1] if samples else 0.0,
    }


STATUS = {"new": "open", "hold": "pending"}
CSAT = {"good": 5, "bad": 1}


def side_reference(database: Path, info: dict[str, str], folder: Path) -> dict[str, float]:
    """Plain httpx pages → contract CSVs → import_folder (one transaction)."""
    import httpx

    from bot.db.migrate import upgrade_to_head
    from bot.db.session import make_engine
    from bot.sources.importer import import_folder

    engine = make_engine(f"sqlite:///{database}")
    upgrade_to_head(engine)
    started, cpu = time.perf_counter(), cpu_seconds()
    pair = base64.b64encode(f"{info['email']}/token:{info['token']}".encode()).decode()
    (folder / "csms.csv").write_text("csm_id,name\n")
    with httpx.Client(
        base_url=info["url"], headers={"Authorization": f"Basic {pair}"}, timeout=60
    ) as http:
        orgs: set[int] = set()
        with (folder / "accounts.csv").open("w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["account_id", "name", "domain", "status"])
            params: dict[str, object] = {"page[size]": 100}
            while True:
                body = http.get("/api/v2/organizations.json", params=params).json()
                for org in body["organizations"]:
                    orgs.add(org["id"])
                    domains = org["domain_names"]
                    writer.writerow(
                        [org["id"], org["name"], domains[0] if domains else "", "active"]
                    )
                if not body["meta"]["has_more"]:
                    break
                params = {"page[size]": 100, "page[after]": body["meta"]["after_cursor"]}
        for kind, table, columns in (
            ("users", "contacts", ["contact_id", "account_id", "name", "email", "is_active"]),
            (
                "tickets",
                "tickets",
                ["ticket_id", "account_id", "created_at", "resolved_at", "status", "priority"]
                + ["category", "subject", "description", "csat", "escalated"],
            ),
        ):
            with (folder / f"{table}.csv").open("w", newline="") as handle:
                writer = csv.writer(handle)
                writer.writerow(columns)
                params = {"start_time": 0, "per_page": 1000}
                while True:
                    body = http.get(f"/api/v2/incremental/{kind}/cursor.json", params=params).json()
                    for r in body[kind]:
                        if r.get("organization_id") not in orgs:
                            continue
                        if kind == "users":
                            writer.writerow(
                                [r["id"], r["organization_id"], r["name"], r["email"].lower()]
                                + [str(r["active"]).lower()]
                            )
                            continue
                        if r["status"] == "deleted":
                            continue
                        closed = r["status"] in ("solved", "closed")
                        rating = (r["satisfaction_rating"] or {}).get("score")
                        writer.writerow(
                            [r["id"], r["organization_id"], r["created_at"]]
                            + [r["updated_at"] if closed else ""]
                            + [STATUS.get(r["status"], r["status"]), r["priority"] or ""]
                            + [r["type"] or "", r["subject"], r["description"]]
                            + [CSAT.get(rating, ""), str("escalated" in r["tags"]).lower()]
                        )
                    if body["end_of_stream"]:
                        break
                    params = {"cursor": body["after_cursor"], "per_page": 1000}
    report = import_folder(folder, engine, actor="bench")
    seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    return {
        "rows": report.total_rows,
        "seconds": seconds,
        "cpu_seconds": cpu,
        "peak_rss_mib": peak_rss_mib(),
    }


def child(side: str, database: Path, env: dict[str, str], extra: list[str]) -> dict[str, float]:
    return run_side(__file__, ["--side", side, "--database", str(database), *extra], env)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=200_000)
    parser.add_argument("--organizations", type=int, default=2_000)
    parser.add_argument("--side", choices=["sync", "reference", "serve"])
    parser.add_argument("--database", type=Path)
    parser.add_argument("--info", type=Path)
    parser.add_argument("--folder", type=Path)
    args = parser.parse_args()
    if args.side == "serve":
        serve(args.tickets, args.organizations, args.info)
        return
    if args.side == "sync":
        print(json.dumps(side_sync(args.database)))
        return
    if args.side == "reference":
        info = json.loads(args.info.read_text())
        print(json.dumps(side_reference(args.database, info, args.folder)))
        return

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        info_file = work / "fake.json"
        env_base = {**os.environ, "PYTHONPATH": str(ROOT), "CSBOT_LOG_LEVEL": "WARNING"}
        server = subprocess.Popen(
            [sys.executable, __file__, "--side", "serve", "--info", str(info_file)]
            + ["--tickets", str(args.tickets), "--organizations", str(args.organizations)],
            env=env_base,
        )
        try:
            while not info_file.exists() or not info_file.read_text():
                time.sleep(0.2)
                if server.poll() is not None:
                    raise SystemExit("the fake Zendesk did not start")
            info = json.loads(info_file.read_text())
            env = {
                **env_base,
                "CSBOT_DATA_DIR": str(work / "var"),
                "CSBOT_ZENDESK_SUBDOMAIN": "bench",
                "CSBOT_ZENDESK_BASE_URL": info["url"],
                "CSBOT_ZENDESK_EMAIL": info["email"],
                "CSBOT_ZENDESK_API_TOKEN": info["token"],
            }
            (work / "csv").mkdir()
            reference = child(
                "reference",
                work / "reference.db",
                env,
                ["--info", str(info_file), "--folder", str(work / "csv")],
            )
            synced = child("sync", work / "sync.db", env, [])
            again = child("sync", work / "sync.db", env, [])
        finally:
            server.kill()
            server.wait()

    ratio = synced["seconds"] / reference["seconds"]
    cpu_ratio = synced["cpu_seconds"] / reference["cpu_seconds"]
    print(
        f"records: {args.tickets} tickets, {args.organizations} organizations, "
        f"{2 * args.organizations} users; 1,000 tickets per export page"
    )
    print(
        f"reference (httpx pages → CSV → import_folder): {reference['seconds']:.2f}s "
        f"(CPU {reference['cpu_seconds']:.2f}s), {reference['rows']:.0f} rows, "
        f"peak RSS {reference['peak_rss_mib']:.0f} MiB"
    )
    print(
        f"csbot sync run zendesk (full):                 {synced['seconds']:.2f}s "
        f"(CPU {synced['cpu_seconds']:.2f}s), {synced['rows']:.0f} rows in "
        f"{synced['pages']:.0f} pages, peak RSS {synced['peak_rss_mib']:.0f} MiB "
        f"(RSS after page 10: {synced['rss_page_10_mib']:.0f} MiB, "
        f"after the last: {synced['rss_last_page_mib']:.0f} MiB)"
    )
    print(f"sync / reference: {ratio:.2f}× wall, {cpu_ratio:.2f}× CPU (target ≤ 1.5×)")
    print(
        f"incremental, nothing changed: {again['seconds']:.2f}s, {again['rows']:.0f} rows written"
    )


if __name__ == "__main__":
    main()
