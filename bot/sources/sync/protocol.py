"""The connector protocol: how a source (Salesforce, HubSpot, …) hands records to the sync engine.

A connector only *reads*. It turns one source object (``Account``, ``contacts``…) into
pages of **contract rows** (the columns of ``DATA_CONTRACT.md``, values as text or
plain Python scalars) and says, after each page, which cursor value that page brings
the object to. The engine (``bot.sources.sync.engine``) imports each page through the
contract importer (the one write path: same checks, limits, upsert-by-key, located
problems) and commits the page's cursor in the same transaction, so a crash resumes
exactly after the last committed page: nothing lost, nothing twice.

The contract a connector keeps:

* ``read(object_name, cursor, full=False)`` yields :class:`SourcePage` in cursor order.
  Each page's ``cursor`` must be a point from which a new ``read`` continues right
  after that page's last record (for Salesforce: ``SystemModstamp`` plus ``Id`` as a
  tie-breaker, with ``ORDER BY SystemModstamp, Id``). ``full=True`` ignores ``cursor``
  and re-reads everything (the engine still stores the cursor it ends at).
* Rows are already mapped (``bot.sources.sync.mapping`` turns a raw source record into a
  contract row, so teams change a YAML file, not code). ``source_ids[i]`` is the source's
  id of ``rows[i]`` and ``fields`` names the source field behind each contract column:
  both only locate errors (``salesforce Account 001xx000003DGb2: AnnualRevenue: 'abc':
  is not a number``).
* ``deleted_ids`` are source ids the source reports deleted/archived in the page's span
  (Salesforce ``queryAll`` with ``IsDeleted = true``). The engine marks contacts
  inactive and reports the rest; nothing is ever deleted from the store.
* Faults (429 + Retry-After, rate-limit errors, expired sessions, 5xx) are the
  connector's to retry, within bounds; what it gives up on it raises as
  :class:`SourceError`, which the engine records as the object's last error without
  moving its cursor.

A new connector is one module plus one line in ``bot.sources.sync.registry``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

ContractValue = str | int | float | bool | None
"""A cell of a contract row: text as the contract files would hold it, or a plain scalar."""

ContractRow = Mapping[str, ContractValue]
"""One record in contract columns (``{"account_id": "001…", "name": "Acme", "arr": 1200}``)."""


@dataclass(frozen=True, slots=True)
class SyncCursor:
    """Where an object's incremental read stands; opaque text to the engine and the store.

    ``value`` is whatever the connector needs to continue (an ISO timestamp, a
    ``timestamp|id`` pair, a page token); ``None`` means "from the beginning".
    """

    value: str | None = None

    @property
    def is_start(self) -> bool:
        return self.value is None


@dataclass(frozen=True, slots=True)
class SourcePage:
    """One page of one source object, mapped to one contract table.

    ``rows`` and ``source_ids`` are parallel. ``fields`` maps a contract column to the
    source field it came from (for error messages; a missing column falls back to its
    own name). ``cursor`` is the position *after* this page. ``skipped`` counts source
    records the mapping leaves out on purpose (``skip_if_missing``). Rows of ``csms``
    whose email matches a stored csm update that csm (no second csm per person).
    """

    table: str
    rows: Sequence[ContractRow]
    source_ids: Sequence[str]
    cursor: SyncCursor
    fields: Mapping[str, str] = field(default_factory=dict)
    deleted_ids: Sequence[str] = ()
    skipped: int = 0
    owner_column: str | None = None
    """A column (``csm_id``) holding the owner's *email*: the engine resolves it to the csm
    with that email (stored, or synced earlier in the run); unknown → empty, reported."""


@dataclass(frozen=True, slots=True)
class SourceObject:
    """An object a connector can sync, and the contract table it fills."""

    name: str  # the source's own name: "Account", "contacts"
    table: str  # the contract table: "accounts"


class SourceError(RuntimeError):
    """A source failure the connector gave up on (after its bounded retries).

    The message is one line, names the source and object, and never carries record
    values or credentials.
    """


@runtime_checkable
class Connector(Protocol):
    """A read-only source of contract records; see the module docstring for the contract."""

    name: str  # "salesforce", "hubspot": the CLI's SOURCE and the cursor table's key

    def objects(self) -> Sequence[SourceObject]:
        """The objects this connector syncs, in dependency order (owners/users first)."""
        ...

    def read(
        self, object_name: str, cursor: SyncCursor, *, full: bool = False
    ) -> Iterator[SourcePage]:
        """Pages of ``object_name`` after ``cursor`` (everything when ``full``), in order."""
        ...
