"""The data contract (DATA_CONTRACT.md v1) as data: files, keys, columns, types, references.

The importer, the demo generator and the tests all read this one description, so a
rule added here is enforced everywhere at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Kind(StrEnum):
    TEXT = "text"
    INT = "int"
    DECIMAL = "decimal"  # money: non-negative decimal number
    FLOAT = "float"
    BOOL = "bool"
    DATE = "date"
    DATETIME = "datetime"


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind = Kind.TEXT
    required: bool = False
    choices: tuple[str, ...] | None = None
    default: str | None = None  # applied to new rows when the cell is empty or the column absent
    minimum: float | None = None
    maximum: float | None = None
    references: str | None = None  # table name whose key this column must name
    max_length: int | None = None


@dataclass(frozen=True)
class FileSpec:
    table: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    data_date_column: str | None = None  # which column says how fresh the data is
    checks: tuple[str, ...] = field(default_factory=tuple)

    @property
    def by_name(self) -> dict[str, Column]:
        return {column.name: column for column in self.columns}


_ID = 64
NON_NEGATIVE = 0.0

CONTRACT: tuple[FileSpec, ...] = (
    FileSpec(
        table="csms",
        key=("csm_id",),
        columns=(
            Column("csm_id", required=True, max_length=_ID),
            Column("name", required=True, max_length=200),
            Column("email", max_length=320),
            Column("slack_user_id", max_length=32),
            Column("role", choices=("csm", "manager", "admin"), default="csm"),
            Column("manager_id", references="csms", max_length=_ID),
            Column("team", max_length=120),
        ),
    ),
    FileSpec(
        table="accounts",
        key=("account_id",),
        columns=(
            Column("account_id", required=True, max_length=_ID),
            Column("name", required=True, max_length=300),
            Column("parent_account_id", references="accounts", max_length=_ID),
            Column("domain", max_length=255),
            Column("industry", max_length=120),
            Column("segment", choices=("enterprise", "mid-market", "smb")),
            Column("arr", Kind.DECIMAL, minimum=NON_NEGATIVE),
            Column("currency", max_length=3, default="USD"),
            Column("employee_count", Kind.INT, minimum=NON_NEGATIVE),
            Column("licensed_seats", Kind.INT, minimum=NON_NEGATIVE),
            Column("csm_id", references="csms", max_length=_ID),
            Column("customer_since", Kind.DATE),
            Column("status", choices=("active", "churned"), default="active"),
            Column("churned_at", Kind.DATE),
            Column("churn_reason"),
        ),
    ),
    FileSpec(
        table="contacts",
        key=("contact_id",),
        columns=(
            Column("contact_id", required=True, max_length=_ID),
            Column("account_id", required=True, references="accounts", max_length=_ID),
            Column("name", required=True, max_length=200),
            Column("email", max_length=320),
            Column("title", max_length=200),
            Column("is_champion", Kind.BOOL),
            Column("is_decision_maker", Kind.BOOL),
            Column("is_active", Kind.BOOL, default="true"),
            Column("last_contacted_at", Kind.DATETIME),
        ),
        data_date_column="last_contacted_at",
    ),
    FileSpec(
        table="contracts",
        key=("contract_id",),
        columns=(
            Column("contract_id", required=True, max_length=_ID),
            Column("account_id", required=True, references="accounts", max_length=_ID),
            Column("start_date", Kind.DATE, required=True),
            Column("end_date", Kind.DATE, required=True),
            Column("arr", Kind.DECIMAL, required=True, minimum=NON_NEGATIVE),
            Column("status", choices=("active", "renewed", "churned", "pending"), default="active"),
            Column("auto_renew", Kind.BOOL),
        ),
        checks=("end_not_before_start",),
    ),
    FileSpec(
        table="usage_daily",
        key=("account_id", "date"),
        columns=(
            Column("account_id", required=True, references="accounts", max_length=_ID),
            Column("date", Kind.DATE, required=True),
            Column("active_users", Kind.INT, minimum=NON_NEGATIVE),
            Column("logins", Kind.INT, minimum=NON_NEGATIVE),
            Column("events", Kind.INT, minimum=NON_NEGATIVE),
            Column("features_used", Kind.INT, minimum=NON_NEGATIVE),
            Column("session_minutes", Kind.FLOAT, minimum=NON_NEGATIVE),
        ),
        data_date_column="date",
    ),
    FileSpec(
        table="tickets",
        key=("ticket_id",),
        columns=(
            Column("ticket_id", required=True, max_length=_ID),
            Column("account_id", required=True, references="accounts", max_length=_ID),
            Column("created_at", Kind.DATETIME, required=True),
            Column("contact_id", references="contacts", max_length=_ID),
            Column("resolved_at", Kind.DATETIME),
            Column("status", choices=("open", "pending", "solved", "closed")),
            Column("priority", choices=("low", "normal", "high", "urgent")),
            Column("category", max_length=120),
            Column("subject"),
            Column("description"),
            Column("csat", Kind.INT, minimum=1, maximum=5),
            Column("escalated", Kind.BOOL),
        ),
        data_date_column="created_at",
    ),
    FileSpec(
        table="invoices",
        key=("invoice_id",),
        columns=(
            Column("invoice_id", required=True, max_length=_ID),
            Column("account_id", required=True, references="accounts", max_length=_ID),
            Column("issued_at", Kind.DATE, required=True),
            Column("amount", Kind.DECIMAL, required=True, minimum=NON_NEGATIVE),
            Column("due_at", Kind.DATE),
            Column("paid_at", Kind.DATE),
            Column("status", choices=("paid", "open", "overdue", "failed", "void")),
        ),
        data_date_column="issued_at",
    ),
    FileSpec(
        table="nps",
        key=("response_id",),
        columns=(
            Column("response_id", required=True, max_length=_ID),
            Column("account_id", required=True, references="accounts", max_length=_ID),
            Column("responded_at", Kind.DATETIME, required=True),
            Column("score", Kind.INT, required=True, minimum=0, maximum=10),
            Column("contact_id", references="contacts", max_length=_ID),
            Column("comment"),
        ),
        data_date_column="responded_at",
    ),
    FileSpec(
        table="interactions",
        key=("interaction_id",),
        columns=(
            Column("interaction_id", required=True, max_length=_ID),
            Column("account_id", required=True, references="accounts", max_length=_ID),
            Column("occurred_at", Kind.DATETIME, required=True),
            Column("type", required=True, choices=("meeting", "email", "call", "qbr", "note")),
            Column("contact_id", references="contacts", max_length=_ID),
            Column("csm_id", references="csms", max_length=_ID),
            Column("summary"),
        ),
        data_date_column="occurred_at",
    ),
    FileSpec(
        table="opportunities",
        key=("opportunity_id",),
        columns=(
            Column("opportunity_id", required=True, max_length=_ID),
            Column("account_id", required=True, references="accounts", max_length=_ID),
            Column("type", required=True, choices=("expansion", "renewal", "new")),
            Column("amount", Kind.DECIMAL, required=True, minimum=NON_NEGATIVE),
            Column("stage", max_length=64),
            Column("close_date", Kind.DATE),
            Column("won", Kind.BOOL),
        ),
    ),
)

SPECS: dict[str, FileSpec] = {spec.table: spec for spec in CONTRACT}
REQUIRED_FILES = ("csms", "accounts")
