"""Read a connector's pages ahead, and group the ones waiting into one import.

The sync engine imports what this hands over; see ``bot.sources.sync.engine`` for why
pages are grouped and what a group keeps of page-by-page semantics.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterator, Sequence

from bot.sources.importer.contract import SPECS
from bot.sources.importer.records import RecordBatch
from bot.sources.sync.protocol import ContractRow, SourcePage

GROUP_ROWS = 10_000
"""At most this many rows are imported together, and at most this many wait read ahead
(or one page, when a page is larger): memory stays flat whatever the source's page size."""

_Item = tuple[str, object]  # ("page", SourcePage) | ("done", None) | ("error", exception)


class _Handover:
    """Pages read ahead, bounded by rows rather than pages (a queue counts pages only)."""

    def __init__(self, limit_rows: int) -> None:
        self._items: deque[tuple[_Item, int]] = deque()
        self._rows = 0
        self._limit = limit_rows
        self._changed = threading.Condition()
        self.closed = False

    def put(self, item: _Item, rows: int) -> bool:
        """Wait for room (always room for one page); False once the consumer left."""
        with self._changed:
            while self._items and self._rows + rows > self._limit and not self.closed:
                self._changed.wait(0.05)
            if self.closed:
                return False
            self._items.append((item, rows))
            self._rows += rows
            self._changed.notify_all()
            return True

    def get(self, *, wait: bool = True) -> _Item | None:
        with self._changed:
            while not self._items:
                if not wait:
                    return None
                self._changed.wait(0.05)
            item, rows = self._items.popleft()
            self._rows -= rows
            self._changed.notify_all()
            return item

    def peek(self) -> _Item | None:
        with self._changed:
            return self._items[0][0] if self._items else None

    def close(self) -> None:
        with self._changed:
            self.closed = True
            self._changed.notify_all()


def page_groups(
    pages: Iterator[SourcePage], *, group_rows: int = GROUP_ROWS
) -> Iterator[list[SourcePage]]:
    """Start reading pages in a helper thread now; hand over what is waiting as one group.

    The network wait and the import overlap. A group is the next page plus the pages
    already waiting behind it that can join it (:func:`_joins`), up to ``group_rows``
    rows; it never waits for more. Only the helper thread touches the connector. A
    connector error is re-raised, in order, after the pages read before it.
    """
    handover = _Handover(group_rows)

    def produce() -> None:
        try:
            for page in pages:
                if not handover.put(("page", page), len(page.rows)):
                    return
            handover.put(("done", None), 0)
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer, re-raised there
            handover.put(("error", exc), 0)

    helper = threading.Thread(target=produce, name="sync-prefetch", daemon=True)
    helper.start()
    return _groups(handover, helper, group_rows)


def _groups(
    handover: _Handover, helper: threading.Thread, group_rows: int
) -> Iterator[list[SourcePage]]:
    try:
        while True:
            kind, item = handover.get()  # type: ignore[misc]
            if kind == "done":
                return
            if kind != "page":
                raise item  # type: ignore[misc]
            group: list[SourcePage] = [item]  # type: ignore[list-item]
            rows = len(group[0].rows)
            while (waiting := handover.peek()) is not None:
                page = waiting[1]
                if waiting[0] != "page" or not _joins(group[0], page, rows, group_rows):  # type: ignore[arg-type]
                    break
                handover.get(wait=False)
                group.append(page)  # type: ignore[arg-type]
                rows += len(page.rows)  # type: ignore[union-attr]
            yield group
    finally:
        handover.close()
        helper.join(timeout=5)


def _joins(first: SourcePage, page: SourcePage, rows: int, group_rows: int) -> bool:
    """Can ``page`` be imported with ``first``'s group? Same table and shape, plain rows.

    Pages that delete (contacts marked inactive) stay alone: the order of an upsert
    and a deactivation of the same contact must stay the source's. Pages held as
    columns (``ColumnRows``) are large already and stay as they came.
    """
    return (
        page.table == first.table
        and page.owner_column == first.owner_column
        and dict(page.fields) == dict(first.fields)
        and page.table != "csms"  # a csm synced in one page is matched by email in the next
        and not page.deleted_ids
        and not first.deleted_ids
        and isinstance(page.rows, list)
        and isinstance(first.rows, list)
        and rows + len(page.rows) <= group_rows
    )


def joined_batch(
    pages: Sequence[SourcePage], rows: Sequence[Sequence[ContractRow]], where: str
) -> RecordBatch:
    """One batch of a group's resolved rows; a key seen again keeps its later row."""
    first = pages[0]
    if len(pages) == 1:
        return RecordBatch(first.table, rows[0], first.source_ids, where, first.fields)
    key = SPECS[first.table].key
    later: set[tuple[object, ...]] = set()  # keys of the pages after the one at hand
    kept: list[list[tuple[ContractRow, str]]] = []
    for page, page_rows in zip(reversed(pages), reversed(rows), strict=True):
        identities = [tuple(row.get(column) for column in key) for row in page_rows]
        kept.append(
            [
                (row, source_id)
                for row, source_id, identity in zip(
                    page_rows, page.source_ids, identities, strict=True
                )
                if identity not in later
            ]
        )
        later.update(i for i in identities if None not in i)  # in-page repeats: the importer's
    pairs = [pair for page_pairs in reversed(kept) for pair in page_pairs]
    return RecordBatch(
        first.table,
        [row for row, _ in pairs],
        [source_id for _, source_id in pairs],
        where,
        first.fields,
    )
