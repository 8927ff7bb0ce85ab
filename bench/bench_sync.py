"""Benchmark: a full Salesforce sync of 20,000 accounts and 100,000 contacts, 2,000 per page.

The fake Salesforce (tests/support/fake_salesforce.py: HTTPS, the recorded response
shapes) runs in its own child process, so its records are not in anybody's memory
figure. Beside ``csbot sync run salesforce`` (simple-salesforce, a transaction per page
with its cursor) the same run times a reference: the same SOQL pages fetched with plain
httpx, written as contract CSVs and loaded with ``import_folder`` (``csbot import``) in
one transaction. Each side runs in its own child process, so its peak RSS is its own.
Then an incremental run with nothing changed.

Targets: sync ≤ 1.5 × reference; peak RSS < 500 MiB; a no-change incremental run < 2 s.

    .venv/bin/python bench/bench_sync.py [--accounts 20000] [--contacts 100000]
"""

from __future__ import annotations

import argparse
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

from bench._process import cpu_seconds, peak_rss_mib, run_side  # noqa: E402

SOQL = {
    "User": "SELECT Id, Name, Email, Department, SystemModstamp, IsDeleted FROM User "
    "ORDER BY SystemModstamp, Id",
    "Account": "SELECT Id, Name, Website, Industry, ARR__c, NumberOfEmployees, Segment__c, "
    "CSM__r.Email, Owner.Email, SystemModstamp, IsDeleted FROM Account ORDER BY SystemModstamp, Id",
    "Contact": "SELECT Id, AccountId, Name, Email, Title, LastActivityDate, SystemModstamp, "
    "IsDeleted FROM Contact ORDER BY SystemModstamp, Id",
}


def serve(accounts: int, contacts: int, info_file: Path) -> None:
    from tests.support.fake_salesforce import FakeSalesforce

    fake = FakeSalesforce(info_file.parent / "tls").start()
    fake.generate(users=50, accounts=accounts, contacts=contacts)
    info_file.write_text(
        json.dumps({"url": fake.instance_url, "token": fake.token, "ca": str(fake.ca_path)})
    )
    while True:
        time.sleep(3600)


def side_sync(database: Path) -> dict[str, float]:
    from bot.db.migrate import upgrade_to_head
    from bot.db.session import make_engine
    from bot.settings import load_settings
    from bot.sources.sync.engine import run_source
    from bot.sources.sync.registry import build_connector

    settings = load_settings()
    engine = make_engine(f"sqlite:///{database}")
    upgrade_to_head(engine)
    started, cpu = time.perf_counter(), cpu_seconds()
    runs = run_source(build_connector("salesforce", settings), engine)
    seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    assert all(run.ok for run in runs), [run.error for run in runs]
    return {
        "rows": sum(run.rows_changed for run in runs),
        "pages": sum(run.pages for run in runs),
        "seconds": seconds,
        "cpu_seconds": cpu,
        "peak_rss_mib": peak_rss_mib(),
    }


def _domain(url: str | None) -> str:
    if not url:
        return ""
    host = url.split("//", 1)[-1].split("/", 1)[0]
    return host.removeprefix("www.").lower()


def side_reference(database: Path, info: dict[str, str], folder: Path) -> dict[str, float]:
    """Plain httpx pages → contract CSVs → import_folder (one transaction)."""
    import httpx

    from bot.db.migrate import upgrade_to_head
    from bot.db.session import make_engine
    from bot.sources.importer import import_folder

    engine = make_engine(f"sqlite:///{database}")
    upgrade_to_head(engine)
    started, cpu = time.perf_counter(), cpu_seconds()
    headers = {"Authorization": f"Bearer {info['token']}", "Sforce-Query-Options": "batchSize=2000"}
    emails: dict[str, str] = {}
    files = {
        "User": ("csms", ["csm_id", "name", "email", "team"]),
        "Account": (
            "accounts",
            [
                "account_id",
                "name",
                "domain",
                "industry",
                "arr",
                "employee_count",
                "segment",
                "csm_id",
            ],
        ),
        "Contact": (
            "contacts",
            ["contact_id", "account_id", "name", "email", "title", "last_contacted_at"],
        ),
    }
    segments = {"Enterprise": "enterprise", "Mid-Market": "mid-market", "SMB": "smb"}
    with httpx.Client(base_url=info["url"], headers=headers, verify=info["ca"], timeout=60) as http:
        for sobject, (table, columns) in files.items():
            with (folder / f"{table}.csv").open("w", newline="") as handle:
                writer = csv.writer(handle)
                writer.writerow(columns)
                page = http.get(
                    "/services/data/v62.0/queryAll/", params={"q": SOQL[sobject]}
                ).json()
                while True:
                    for r in page["records"]:
                        if sobject == "User":
                            emails[(r["Email"] or "").lower()] = r["Id"]
                            writer.writerow([r["Id"], r["Name"], r["Email"], r["Department"]])
                        elif sobject == "Account":
                            owner = (r.get("CSM__r") or r.get("Owner") or {}).get("Email") or ""
                            writer.writerow(
                                [
                                    r["Id"],
                                    r["Name"],
                                    _domain(r["Website"]),
                                    r["Industry"],
                                    r["ARR__c"],
                                    r["NumberOfEmployees"],
                                    segments.get(r["Segment__c"], ""),
                                    emails.get(owner.lower(), ""),
                                ]
                            )
                        else:
                            writer.writerow(
                                [
                                    r["Id"],
                                    r["AccountId"],
                                    r["Name"],
                                    r["Email"],
                                    r["Title"],
                                    r["LastActivityDate"],
                                ]
                            )
                    if page["done"]:
                        break
                    page = http.get(page["nextRecordsUrl"]).json()
    report = import_folder(folder, engine, actor="bench")
    seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    return {
        "rows": report.total_rows,
        "seconds": seconds,
        "cpu_seconds": cpu,
        "peak_rss_mib": peak_rss_mib(),
    }


def child(side: str, database: Path, env: dict[str, str], extra: list[str]) -> dict[str, float]:
    started = time.perf_counter()
    figures = run_side(__file__, ["--side", side, "--database", str(database), *extra], env)
    figures["process_seconds"] = time.perf_counter() - started
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=20_000)
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=2, help="best of N (a shared machine)")
    parser.add_argument("--side", choices=["sync", "reference", "serve"])
    parser.add_argument("--database", type=Path)
    parser.add_argument("--info", type=Path)
    parser.add_argument("--folder", type=Path)
    args = parser.parse_args()
    if args.side == "serve":
        serve(args.accounts, args.contacts, args.info)
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
            [
                sys.executable,
                __file__,
                "--side",
                "serve",
                "--info",
                str(info_file),
                "--accounts",
                str(args.accounts),
                "--contacts",
                str(args.contacts),
            ],
            env=env_base,
        )
        try:
            while not info_file.exists() or not info_file.read_text():
                time.sleep(0.2)
                if server.poll() is not None:
                    raise SystemExit("the fake Salesforce did not start")
            info = json.loads(info_file.read_text())
            env = {
                **env_base,
                "REQUESTS_CA_BUNDLE": info["ca"],
                "CSBOT_DATA_DIR": str(work / "var"),
                "CSBOT_SALESFORCE_INSTANCE_URL": info["url"],
                "CSBOT_SALESFORCE_ACCESS_TOKEN": info["token"],
                "CSBOT_SALESFORCE_PAGE_SIZE": "2000",
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
            cli_started = time.perf_counter()
            subprocess.run(
                [
                    sys.executable,
                    "-c",
                    "from bot.cli import main; main()",
                    "sync",
                    "run",
                    "salesforce",
                ],
                env={**env, "CSBOT_DATABASE_URL": f"sqlite:///{work / 'sync0.db'}"},
                check=True,
                capture_output=True,
            )
            cli_seconds = time.perf_counter() - cli_started
        finally:
            server.kill()
            server.wait()

    ratio = synced["seconds"] / reference["seconds"]
    cpu_ratio = synced["cpu_seconds"] / reference["cpu_seconds"]
    print(f"records: {args.accounts} accounts + {args.contacts} contacts + 50 users, 2,000/page")
    print(f"best of {args.repeat} runs per side, sides alternated, each in its own process")
    print(
        f"reference (httpx pages → CSV → import_folder): {reference['seconds']:.2f}s "
        f"(CPU {reference['cpu_seconds']:.2f}s), {reference['rows']:.0f} rows, "
        f"peak RSS {reference['peak_rss_mib']:.0f} MiB"
    )
    print(
        f"csbot sync run salesforce (full):              {synced['seconds']:.2f}s "
        f"(CPU {synced['cpu_seconds']:.2f}s), {synced['rows']:.0f} rows in "
        f"{synced['pages']:.0f} pages, peak RSS {synced['peak_rss_mib']:.0f} MiB"
    )
    print(f"sync / reference: {ratio:.2f}× wall, {cpu_ratio:.2f}× CPU (target ≤ 1.5×)")
    print(
        f"incremental, nothing changed: {again['seconds']:.2f}s in the engine, "
        f"{again['rows']:.0f} rows written; the whole `csbot sync run` process "
        f"{cli_seconds:.2f}s incl. interpreter start and imports (target < 2 s)"
    )


if __name__ == "__main__":
    main()
