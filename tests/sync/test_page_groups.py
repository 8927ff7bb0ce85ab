"""Pages already read are imported together; a group keeps page-by-page semantics."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from bot.db.models import Account
from bot.db.sync_state import sync_state
from bot.sources.sync.engine import run_object
from bot.sources.sync.grouping import joined_batch, page_groups
from bot.sources.sync.protocol import SourceError, SourceObject, SourcePage, SyncCursor


def _page(start: int, count: int, *, table: str = "accounts", **extra: object) -> SourcePage:
    rows = [
        {"account_id": f"a{n:05d}", "name": f"Account {n}"} for n in range(start, start + count)
    ]
    ids = [row["account_id"] for row in rows]
    return SourcePage(table, rows, ids, SyncCursor(str(start + count)), **extra)  # type: ignore[arg-type]


def _all_read(pages: Sequence[SourcePage], after: Exception | None = None):
    """A source, and an event set once every page is handed to the helper thread."""
    read = threading.Event()

    def source() -> Iterator[SourcePage]:
        yield from pages
        read.set()
        if after is not None:
            raise after

    return source(), read


def test_pages_waiting_behind_the_next_one_come_as_one_group():
    pages = [_page(n * 100, 100) for n in range(5)]
    source, read = _all_read(pages)

    groups = page_groups(source)
    assert read.wait(5)

    assert [[p.cursor.value for p in group] for group in groups] == [
        ["100", "200", "300", "400", "500"]
    ]


def test_a_group_stops_at_another_table_a_deleting_page_and_its_row_limit():
    pages = [
        _page(0, 100),
        _page(100, 100),
        _page(200, 100, table="contacts"),
        _page(300, 100, table="contacts", deleted_ids=("c1",)),
        _page(400, 100, table="contacts"),
    ]
    source, read = _all_read(pages)

    groups = page_groups(source)
    assert read.wait(5)

    assert [[p.cursor.value for p in group] for group in groups] == [
        ["100", "200"],
        ["300"],
        ["400"],  # deletes: alone, so an upsert and a deactivation keep their order
        ["500"],
    ]
    limited = page_groups(iter([_page(n * 100, 100) for n in range(7)]), group_rows=250)
    sizes = [sum(len(p.rows) for p in group) for group in limited]
    assert sum(sizes) == 700 and max(sizes) <= 250


def test_a_source_error_comes_after_the_pages_read_before_it():
    source, read = _all_read([_page(0, 10), _page(10, 10)], after=SourceError("zendesk: 500"))
    groups = page_groups(source)
    assert read.wait(5)

    assert [p.cursor.value for p in next(groups)] == ["10", "20"]
    with pytest.raises(SourceError, match="zendesk: 500"):
        next(groups)


def test_a_record_repeated_in_a_later_page_keeps_its_later_version_only():
    first = _page(0, 3)
    later = SourcePage(
        "accounts",
        [{"account_id": "a00001", "name": "Renamed"}],
        ["a00001"],
        SyncCursor("4"),
    )
    batch = joined_batch([first, later], [first.rows, later.rows], "test accounts")

    assert [(row["account_id"], row["name"]) for row in batch.rows] == [
        ("a00000", "Account 0"),
        ("a00002", "Account 2"),
        ("a00001", "Renamed"),
    ]
    assert list(batch.ids) == ["a00000", "a00002", "a00001"]
    twice = SourcePage("accounts", [first.rows[0], first.rows[0]], ["x", "y"], SyncCursor("2"))
    kept = joined_batch([twice, later], [twice.rows, later.rows], "test accounts")
    assert len(kept.rows) == 3  # a repeat inside one page is the importer's to refuse


@dataclass
class _Pages:
    """A connector that hands over fixed pages (the engine's side of the protocol)."""

    pages: list[SourcePage]
    name: str = "grouptest"

    def objects(self) -> Sequence[SourceObject]:
        return [SourceObject("Account", "accounts")]

    def read(self, object_name: str, cursor: SyncCursor, *, full: bool = False):
        return iter(self.pages)


def _accounts(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.count()).select_from(Account)))


def test_a_bad_record_in_a_group_keeps_the_pages_before_it_and_fails_alone(engine):
    # A large first page keeps the importer busy while the small ones wait: they come
    # as one group, which the bad record refuses; its pages are then imported one by one.
    pages = [_page(0, 5_000)] + [_page(5_000 + n * 10, 10) for n in range(5)]
    bad = dict(pages[4].rows[3])
    bad["arr"] = "lots"
    pages[4] = SourcePage(
        "accounts",
        [*pages[4].rows[:3], bad, *pages[4].rows[4:]],
        pages[4].source_ids,
        pages[4].cursor,
    )

    run = run_object(_Pages(pages), SourceObject("Account", "accounts"), engine)

    assert run.error == ["grouptest Account a05033: arr: 'lots': is not a number"]
    assert _accounts(engine) == 5_000 + 3 * 10  # the pages before the bad one, whole
    with engine.connect() as connection:
        assert sync_state(connection, "grouptest", "Account").cursor == "5030"
    assert run.pages == 4 and run.rows_changed == 5_030


def test_a_group_written_together_is_what_page_by_page_upserts_give(engine):
    pages = [_page(0, 2_000)] + [_page(n * 10, 10) for n in range(20)]  # rewrites a00000-199
    renamed = [{**row, "name": row["name"] + " (new)"} for row in pages[-1].rows]
    pages[-1] = SourcePage("accounts", renamed, pages[-1].source_ids, pages[-1].cursor)

    run = run_object(_Pages(pages), SourceObject("Account", "accounts"), engine)

    assert run.ok and run.pages == 21
    assert _accounts(engine) == 2_000
    with Session(engine) as session:
        assert session.get(Account, "a00195").name == "Account 195 (new)"
        assert session.get(Account, "a00185").name == "Account 185"
        assert session.get(Account, "a01999").name == "Account 1999"
