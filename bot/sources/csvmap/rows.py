"""Apply a CSV mapping to a folder: source rows → contract rows, each tagged with its file and line.

Files are read with the contract importer's reader (bounded chunks, editor line
numbers, located encoding and CSV errors), cells stripped. Per table: filter
(``where``), skip rows missing a field, attach lookups (the matching row of another
file, read once and indexed by its key), then either map each row through its
``ColumnRule`` or group rows by the key columns and aggregate. A cell a rule cannot use
(``'x'`` in an expression, a date not in the stated format, a lookup without a match)
is reported at its own file and line; every such problem is collected, none stops the
reading, and nothing is written when there is one.

The contract rows then go to the importer (``import_records``) with their places, so
its checks (types, choices, references, duplicate keys) name the source file and line
too: ``ravenstack_accounts.csv:17: seats: 'x': is not a whole number``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.sources.csvmap.spec import CsvMapping, Lookup, MappedColumn, TableMapping
from bot.sources.importer import RecordLocator, _ProblemLog, shown
from bot.sources.importer.reader import LINE, FileFormatError, iter_chunks
from bot.sources.importer.records import RecordBatch, RecordValue
from bot.sources.sync.expression import CellError, number
from bot.sources.sync.mapping import field_value

Record = dict[str, Any]


class SourceLineLocator(RecordLocator):
    """Contract rows made from a folder's files: named by their source file and line."""

    def at(self, line: int) -> str:
        return self._id(line)

    def rows(self, first: int, last: int) -> str:
        return f"{self._id(first)}…{self._id(last)}: the database refused these rows"

    def first_seen(self, line: int) -> str:
        return f"first at {self._id(line)}"

    def missing(self, table: str) -> str:
        return f"no such {table.rstrip('s')} (not mapped from this folder nor in the store)"


@dataclass
class MappedTable:
    """One contract table's rows, their places (``file:line``) and counts."""

    table: str
    rows: list[dict[str, RecordValue]] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)
    read: int = 0
    filtered: int = 0
    skipped: int = 0
    reported: set[str] = field(default_factory=set)  # "place: column: " already reported

    def already_reported(self, line: str) -> bool:
        """An importer line about a cell this mapping already reported (then left empty)."""
        place, _, rest = line.partition(": ")
        column = rest.partition(": ")[0]
        return f"{place}: {column}: " in self.reported

    def batch(self, origin: str) -> RecordBatch:
        return RecordBatch(
            table=self.table,
            rows=self.rows,
            ids=self.places,
            where=f"{origin} {self.table}",
            fields=self.fields,
            locator=SourceLineLocator(f"{origin} {self.table}", self.places, self.fields),
        )


def read_records(path: Path, columns: list[str]) -> Iterator[Record]:
    """The file's rows as dicts of stripped text, each with its editor line under LINE."""
    for chunk in iter_chunks(path, columns):
        frame = chunk.frame
        for column in columns:
            frame[column] = frame[column].str.strip()
        yield from frame.to_dict("records")


class _Lookups:
    """Lookup files read once per run, indexed by their key column."""

    def __init__(self, folder: Path, headers: Mapping[str, list[str]], problems: _ProblemLog):
        self.folder = folder
        self.headers = headers
        self.problems = problems
        self._indexes: dict[tuple[str, str], dict[str, Record]] = {}

    def index(self, lookup: Lookup) -> dict[str, Record]:
        cache_key = (lookup.file, lookup.key)
        if cache_key not in self._indexes:
            index: dict[str, Record] = {}
            first_line: dict[str, int] = {}
            path = self.folder / lookup.file
            try:
                for record in read_records(path, self.headers[lookup.file]):
                    key = record[lookup.key]
                    if key in index:
                        self.problems.add_text(
                            f"{lookup.file}:{record[LINE]}: {lookup.key}: {shown(key)}: "
                            f"duplicate key of a lookup (first on line {first_line[key]})"
                        )
                        continue
                    if key != "":
                        index[key] = record
                        first_line[key] = record[LINE]
            except FileFormatError as exc:
                self.problems.add_text(f"{lookup.file}:{exc.line}: {exc}")
            self._indexes[cache_key] = index
        return self._indexes[cache_key]


class _Group:
    """The running aggregates of one group of source rows."""

    __slots__ = ("count", "keys", "place", "state")

    def __init__(self, place: str, keys: dict[str, RecordValue]) -> None:
        self.place = place
        self.keys = keys
        self.count = 0
        self.state: dict[str, Any] = {}

    def add(self, column: str, mapped: MappedColumn, value: Any) -> None:
        aggregate = mapped.aggregate
        if aggregate == "count":
            if mapped.rule is None or value not in (None, ""):
                self.state[column] = self.state.get(column, 0) + 1
            return
        if value in (None, ""):
            return
        if aggregate == "distinct":
            self.state.setdefault(column, set()).add(str(value))
        elif aggregate == "sum":
            amount = number(_source_name(mapped), value)
            if amount is not None:
                self.state[column] = self.state.get(column, 0.0) + amount
        else:  # min / max: numbers compare as numbers, anything else (ISO dates) as text
            try:
                amount = number(_source_name(mapped), value)
                ranked: tuple[int, Any] = (0, amount)
            except CellError:
                ranked = (1, str(value))
            best = self.state.get(column)
            if best is None or (ranked < best if aggregate == "min" else ranked > best):
                self.state[column] = ranked

    def result(self, column: str, mapped: MappedColumn) -> RecordValue:
        value = self.state.get(column)
        if mapped.aggregate == "count":
            return int(value or 0)
        if value is None:
            return None
        if mapped.aggregate == "distinct":
            return len(value)
        if mapped.aggregate == "sum":
            return round(float(value), 6)
        return value[1]  # type: ignore[no-any-return]


def _source_name(mapped: MappedColumn) -> str:
    rule = mapped.rule
    if rule is None:
        return mapped.column
    return rule.field or (rule.expression.text if rule.expression else rule.column)


def map_table(
    table: TableMapping,
    folder: Path,
    headers: Mapping[str, list[str]],
    lookups: _Lookups,
    problems: _ProblemLog,
) -> MappedTable:
    out = MappedTable(table.table, fields={c: table.source_of(c) for c, _ in table.columns})
    groups: dict[tuple[Any, ...], _Group] = {}
    indexes = [(lookup, lookups.index(lookup)) for lookup in table.lookups]
    key_columns = [(c, m) for c, m in table.columns if c in table.group_by]
    aggregates = [(c, m) for c, m in table.columns if c not in table.group_by]
    for file_name in table.files:
        try:
            for record in read_records(folder / file_name, headers[file_name]):
                out.read += 1
                place = f"{file_name}:{record[LINE]}"
                try:
                    if table.where is not None and not table.where.evaluate(record):
                        out.filtered += 1
                        continue
                    if any(record.get(name, "") == "" for name in table.skip_if_missing):
                        out.skipped += 1
                        continue
                    if not _attach(record, indexes, place, problems):
                        out.skipped += 1
                        continue
                    if not table.group_by:
                        out.rows.append(_row(table, record, place, out, problems))
                        out.places.append(place)
                        continue
                    keys = {c: m.rule.evaluate(record) for c, m in key_columns if m.rule}
                    group_key = tuple(keys.values())
                    group = groups.get(group_key)
                    if group is None:
                        group = groups[group_key] = _Group(place, keys)
                    group.count += 1
                    for column, mapped in aggregates:
                        value = mapped.rule.evaluate(record) if mapped.rule else None
                        group.add(column, mapped, value)
                except CellError as exc:
                    problems.add_text(f"{place}: {exc.column}: {shown(exc.value)}: {exc.why}")
        except FileFormatError as exc:
            problems.add_text(f"{file_name}:{exc.line}: {exc}")
    for group in groups.values():
        row = dict(group.keys)
        for column, mapped in aggregates:
            row[column] = group.result(column, mapped)
        out.rows.append(row)
        more = f" (+{group.count - 1} rows)" if group.count > 1 else ""
        out.places.append(f"{group.place}{more}")
    return out


def _row(
    table: TableMapping, record: Record, place: str, out: MappedTable, problems: _ProblemLog
) -> dict[str, RecordValue]:
    """One contract row; a cell a rule refuses is reported here and left empty, so the
    importer still checks the rest of the row (and does not report that cell again)."""
    row: dict[str, RecordValue] = {}
    said: set[str] = set()  # two columns made from one bad cell: one line
    for column, mapped in table.columns:
        try:
            row[column] = mapped.rule.evaluate(record) if mapped.rule else None
        except CellError as exc:
            line = f"{place}: {exc.column}: {shown(exc.value)}: {exc.why}"
            if line not in said:
                said.add(line)
                problems.add_text(line)
            out.reported.add(f"{place}: {out.fields[column]}: ")
            row[column] = None
    return row


def _attach(
    record: Record,
    indexes: list[tuple[Lookup, dict[str, Record]]],
    place: str,
    problems: _ProblemLog,
) -> bool:
    """Put each lookup's matching row under its name; False: skip the row (missing: skip)."""
    for lookup, index in indexes:
        key = field_value(record, lookup.match)
        match = index.get(str(key)) if key not in (None, "") else None
        if match is None:
            if lookup.missing == "skip":
                return False
            problems.add_text(
                f"{place}: {lookup.match}: {shown(str(key or ''))}: "
                f"no row of {lookup.file} has this {lookup.key}"
            )
            return False
        record[lookup.name] = match
    return True


def map_folder(
    mapping: CsvMapping, folder: Path, headers: Mapping[str, list[str]], problems: _ProblemLog
) -> dict[str, MappedTable]:
    """Every mapped table (entries for one contract table merged), in mapping order."""
    lookups = _Lookups(folder, headers, problems)
    merged: dict[str, MappedTable] = {}
    for table in mapping.tables:
        mapped = map_table(table, folder, headers, lookups, problems)
        if table.table not in merged:
            merged[table.table] = mapped
            continue
        into = merged[table.table]
        into.rows.extend(mapped.rows)
        into.places.extend(mapped.places)
        into.fields.update({k: v for k, v in mapped.fields.items() if k not in into.fields})
        into.read += mapped.read
        into.filtered += mapped.filtered
        into.skipped += mapped.skipped
        into.reported |= mapped.reported
    return merged
