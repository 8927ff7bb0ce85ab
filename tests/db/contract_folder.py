"""Build small contract folders for importer tests."""

from __future__ import annotations

import csv
import json
from pathlib import Path

BASE_ROWS: dict[str, list[dict[str, str]]] = {
    "csms": [
        {
            "csm_id": "M1",
            "name": "Maya Manager",
            "email": "maya@example.com",
            "slack_user_id": "UM1",
            "role": "manager",
            "manager_id": "",
            "team": "East",
        },
        {
            "csm_id": "C1",
            "name": "Chris Lane",
            "email": "chris@example.com",
            "slack_user_id": "UC1",
            "role": "csm",
            "manager_id": "M1",
            "team": "East",
        },
    ],
    "accounts": [
        {
            "account_id": "A1",
            "name": "Acme Corp Inc",
            "arr": "120000.50",
            "csm_id": "C1",
            "segment": "enterprise",
            "customer_since": "2022-03-01",
            "licensed_seats": "50",
            "parent_account_id": "",
        },
        {
            "account_id": "A2",
            "name": "Globex Corporation",
            "arr": "64000",
            "csm_id": "C1",
            "segment": "mid-market",
            "customer_since": "2023-06-15",
            "licensed_seats": "20",
            "parent_account_id": "A1",
        },
    ],
    "contacts": [
        {
            "contact_id": "P1",
            "account_id": "A1",
            "name": "Pat Champion",
            "email": "pat@acme.test",
            "is_champion": "true",
            "is_decision_maker": "no",
            "last_contacted_at": "2026-10-01T10:00:00",
        },
    ],
    "contracts": [
        {
            "contract_id": "K1",
            "account_id": "A1",
            "start_date": "2025-12-01",
            "end_date": "2026-11-30",
            "arr": "120000.50",
            "status": "active",
            "auto_renew": "1",
        },
    ],
    "usage_daily": [
        {
            "account_id": "A1",
            "date": f"2026-10-{day:02d}",
            "active_users": str(10 + day),
            "logins": "30",
            "events": "400",
            "features_used": "6",
            "session_minutes": "55.5",
        }
        for day in range(1, 29)
    ],
    "tickets": [
        {
            "ticket_id": "T1",
            "account_id": "A1",
            "created_at": "2026-10-03T09:15:00Z",
            "contact_id": "P1",
            "status": "open",
            "priority": "urgent",
            "subject": "SSO broken",
            "description": 'Login fails, "urgent"\nsecond line',
            "csat": "2",
            "escalated": "true",
        },
    ],
    "invoices": [
        {
            "invoice_id": "I1",
            "account_id": "A1",
            "issued_at": "2026-10-01",
            "amount": "10000.04",
            "due_at": "2026-10-31",
            "paid_at": "",
            "status": "failed",
        },
    ],
    "nps": [
        {
            "response_id": "N1",
            "account_id": "A1",
            "responded_at": "2026-09-20T12:00:00+02:00",
            "score": "6",
            "contact_id": "P1",
            "comment": "Slow lately",
        },
    ],
    "interactions": [
        {
            "interaction_id": "X1",
            "account_id": "A1",
            "occurred_at": "2026-10-05T15:00:00Z",
            "type": "qbr",
            "contact_id": "P1",
            "csm_id": "C1",
            "summary": "QBR went fine",
        },
    ],
    "opportunities": [
        {
            "opportunity_id": "O1",
            "account_id": "A1",
            "type": "expansion",
            "amount": "15000",
            "stage": "proposal",
            "close_date": "2026-12-15",
            "won": "",
        },
    ],
}


def write_csv(path: Path, rows: list[dict[str, str]], columns: list[str] | None = None) -> None:
    columns = columns or list(rows[0])
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def write_jsonl(path: Path, rows: list[dict[str, object]]) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row) + "\n")


def build_folder(folder: Path, overrides: dict[str, list[dict[str, str]]] | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    tables = {name: [dict(row) for row in rows] for name, rows in BASE_ROWS.items()}
    for name, rows in (overrides or {}).items():
        tables[name] = rows
    for name, rows in tables.items():
        if rows:
            write_csv(folder / f"{name}.csv", rows)
    return folder
