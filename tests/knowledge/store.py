"""A tiny contract folder for knowledge tests: two accounts, a dozen tickets, NPS comments.

Dates are relative to today so 30-day windows (trends, signals) behave like production.
"""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

TODAY = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)


def _ago(days: int) -> str:
    return (TODAY - timedelta(days=days)).isoformat()


def _day(days_from_today: int) -> str:
    return (date.today() + timedelta(days=days_from_today)).isoformat()


TICKETS = [
    # account A1 (Acme): billing failures and a login outage
    (
        "T1",
        "A1",
        3,
        "Card declined on renewal invoice",
        "Our card was declined and the invoice is now overdue. How do we update the payment method?",
    ),
    (
        "T2",
        "A1",
        5,
        "Invoice charged twice",
        "We were charged twice for the same invoice this month, please refund one payment.",
    ),
    (
        "T3",
        "A1",
        8,
        "Payment failed again",
        "The payment failed again, our finance team needs a new invoice link.",
    ),
    (
        "T4",
        "A1",
        12,
        "Login outage",
        "Nobody can log in, SSO returns an error for every user. This is blocking our whole team.",
    ),
    (
        "T5",
        "A1",
        40,
        "SSO login broken",
        "SSO login is broken again and users are locked out. Very frustrating.",
    ),
    (
        "T6",
        "A1",
        45,
        "Locked out after SSO change",
        "All users are locked out after the SSO certificate change.",
    ),
    # account A2 (Globex): happy users asking about reports
    (
        "T7",
        "A2",
        2,
        "Scheduled report question",
        "How do I schedule the weekly report to be emailed to my managers?",
    ),
    (
        "T8",
        "A2",
        6,
        "Report export format",
        "Can the weekly report be exported to CSV instead of PDF?",
    ),
    (
        "T9",
        "A2",
        20,
        "Thanks for the dashboards",
        "Thank you, the new dashboards are fantastic and our managers love them.",
    ),
    ("T10", "A2", 35, "Report filters", "Is there a way to filter the weekly report by region?"),
]

NPS = [
    ("N1", "A1", 4, 2, "Constant login problems and billing mistakes, very disappointed."),
    ("N2", "A1", 50, 8, "Good product overall."),
    ("N3", "A2", 10, 10, "Fantastic product, our team loves it!"),
]


def _write(path: Path, header: list[str], rows: list[list[object]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def build_knowledge_folder(folder: Path, *, extra_tickets: list[tuple] | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    _write(folder / "csms.csv", ["csm_id", "name", "slack_user_id"], [["C1", "Chris Lane", "UC1"]])
    _write(
        folder / "accounts.csv",
        ["account_id", "name", "csm_id", "customer_since", "licensed_seats"],
        [["A1", "Acme Corp", "C1", "2022-01-10", "50"], ["A2", "Globex", "C1", "2023-05-01", "20"]],
    )
    _write(
        folder / "contracts.csv",
        ["contract_id", "account_id", "start_date", "end_date", "arr"],
        [
            ["K1", "A1", _day(-300), _day(65), "120000"],
            ["K2", "A2", _day(-100), _day(265), "40000"],
        ],
    )
    _write(
        folder / "invoices.csv",
        ["invoice_id", "account_id", "issued_at", "amount", "due_at", "status"],
        [["I1", "A1", _day(-40), "10000", _day(-10), "failed"]],
    )
    tickets = TICKETS + (extra_tickets or [])
    _write(
        folder / "tickets.csv",
        ["ticket_id", "account_id", "created_at", "status", "priority", "subject", "description"],
        [
            [tid, acc, _ago(days), "open", "normal", subject, body]
            for tid, acc, days, subject, body in tickets
        ],
    )
    _write(
        folder / "nps.csv",
        ["response_id", "account_id", "responded_at", "score", "comment"],
        [[rid, acc, _ago(days), score, comment] for rid, acc, days, score, comment in NPS],
    )
    return folder
