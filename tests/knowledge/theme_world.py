"""A contract folder for the themes answer: one account with 30 tickets in three clear topics.

* Acme Corp (Alice's book): 10 billing complaints (angry, mostly in the last 30
  days), 10 SSO/login complaints (angry, older), 10 neutral reporting questions.
* Tiny Co (Alice's book): a single ticket, too few to group.
* Initech (Bob's book): API rate-limit tickets Alice must never see.

Dates are relative to today so the 30-day trend windows behave like production.
"""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

NOW = datetime.now(UTC).replace(microsecond=0)

ADMIN = "UADMIN1"
ALICE = "UALICE1"
BOB = "UBOB1"

BILLING = [
    ("Charged twice on the March invoice", "We were billed twice for the same invoice. Refund it."),
    ("Card declined at renewal", "Our card was declined and now the invoice shows overdue."),
    ("Refund still missing", "Still no refund for the double charge, this is unacceptable."),
    ("Invoice amount is wrong", "The invoice charges us for 80 seats but we only have 50."),
    ("Double charge again", "You charged our credit card twice again this month."),
    ("Payment failed, account suspended", "Payment failed and the invoice is overdue, fix it."),
    ("Wrong VAT on invoice", "The invoice has the wrong VAT amount and finance is annoyed."),
    ("Billing error on renewal", "Renewal invoice billed the wrong plan price, very frustrating."),
    ("Charged after cancelling seats", "We removed seats but the invoice still charges for them."),
    ("Overcharged on the invoice", "We were overcharged on the latest invoice, need a refund."),
]
LOGIN = [
    ("SSO login broken", "Nobody can log in through SSO, the SAML error blocks everyone."),
    ("Users locked out", "All our users are locked out after the SSO certificate change."),
    ("Cannot sign in with Okta", "Okta SSO sign in fails with an error for every user."),
    ("Login outage again", "Login is down again, users cannot sign in, this is terrible."),
    ("SAML assertion error", "SSO returns a SAML assertion error and nobody can log in."),
    ("Password reset loop", "Users get stuck in a password reset loop and cannot log in."),
    ("SSO keeps logging us out", "SSO session keeps logging users out every few minutes."),
    ("Two-factor login fails", "Two-factor codes are rejected so users cannot log in."),
    ("Locked out of admin account", "Our admin is locked out and cannot sign in via SSO."),
    ("Login page error 500", "The login page shows error 500 and users cannot sign in."),
]
REPORTS = [
    ("Export dashboard to CSV", "How do I export the dashboard report to a CSV file?"),
    ("Schedule weekly report", "Can we schedule the weekly report to be emailed on Mondays?"),
    ("Add a filter to the report", "Is there a way to filter the usage report by region?"),
    ("Report column question", "Which report shows active users per team by week?"),
    ("Share a dashboard", "How can I share a dashboard report with my managers?"),
    ("Custom report fields", "Can we add custom fields as columns in the report?"),
    ("Report date range", "How do I change the date range of the monthly report?"),
    ("Export report as PDF", "Can the monthly dashboard report be exported as a PDF?"),
    ("Report for executives", "Which dashboard report would suit our executive review?"),
    ("Pivot the usage report", "Can the usage report be pivoted by department and month?"),
]
TOPICS = {"billing": BILLING, "access": LOGIN, "reporting": REPORTS}
# Billing is recent (rising), login older, reporting spread out.
AGE_DAYS = {
    "billing": [2, 4, 6, 9, 12, 15, 18, 21, 25, 45],
    "access": [33, 36, 38, 40, 42, 44, 47, 50, 52, 55],
    "reporting": [3, 8, 14, 20, 27, 34, 39, 46, 51, 57],
}
TINY_TICKET = ("Update the invoice address", "Please change the billing address on our invoices.")
INITECH = [
    ("API rate limit errors", "Our integration hits API rate limit errors every hour."),
    ("429 from the API", "The API keeps returning 429 too many requests for our sync."),
    ("Rate limit too low", "The API rate limit is too low for our nightly import."),
    ("Webhook retries throttled", "Webhook retries are throttled by the API rate limit."),
    ("Bulk API throttling", "Bulk API calls get throttled with rate limit errors."),
    ("Raise our API quota", "Please raise our API quota, rate limits break our sync."),
]


def ticket_rows() -> list[list[object]]:
    """(ticket_id, account_id, created_at, status, priority, category, subject, description)."""
    rows: list[list[object]] = []
    for category, tickets in TOPICS.items():
        for index, ((subject, body), days) in enumerate(
            zip(tickets, AGE_DAYS[category], strict=True)
        ):
            created = (NOW - timedelta(days=days)).isoformat()
            rows.append(
                [f"{category[:3].upper()}-{index}", "A1", created, "open", "normal", category]
                + [subject, body]
            )
    rows.append(["TINY-1", "A2", (NOW - timedelta(days=5)).isoformat(), "open", "low", "billing"])
    rows[-1] += list(TINY_TICKET)
    for index, (subject, body) in enumerate(INITECH):
        created = (NOW - timedelta(days=3 + index * 4)).isoformat()
        rows.append([f"INI-{index}", "B1", created, "open", "high", "api", subject, body])
    return rows


def topic_of(ticket_id: str) -> str:
    return {"BIL": "billing", "ACC": "access", "REP": "reporting"}[ticket_id[:3]]


def _write(path: Path, header: list[str], rows: list[list[object]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def build_theme_folder(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    _write(
        folder / "csms.csv",
        ["csm_id", "name", "slack_user_id", "role"],
        [
            ["C0", "Ada Admin", ADMIN, "admin"],
            ["C1", "Alice Chen", ALICE, "csm"],
            ["C2", "Bob Ortiz", BOB, "csm"],
        ],
    )
    _write(
        folder / "accounts.csv",
        ["account_id", "name", "csm_id", "customer_since", "licensed_seats", "arr"],
        [
            ["A1", "Acme Corp", "C1", "2022-01-10", "50", "120000"],
            ["A2", "Tiny Co", "C1", "2024-02-01", "5", "6000"],
            ["B1", "Initech", "C2", "2023-03-01", "40", "80000"],
        ],
    )
    today = date.today()
    _write(
        folder / "contracts.csv",
        ["contract_id", "account_id", "start_date", "end_date", "arr"],
        [
            [f"K-{account}", account, today - timedelta(days=300), today + timedelta(days=65), arr]
            for account, arr in (("A1", "120000"), ("A2", "6000"), ("B1", "80000"))
        ],
    )
    _write(
        folder / "tickets.csv",
        [
            "ticket_id",
            "account_id",
            "created_at",
            "status",
            "priority",
            "category",
            "subject",
            "description",
        ],
        ticket_rows(),
    )
    return folder
