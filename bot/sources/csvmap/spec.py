"""CSV mapping files: how a team's own export folder becomes contract tables (YAML, validated).

A Gainsight, Excel or billing-system export never has the contract's column names. A
mapping file says, per contract table, which file(s) feed it and how each contract
column is made. Columns use the sync mappings' vocabulary and code
(:class:`bot.sources.sync.mapping.ColumnRule`: ``field``, ``value``, ``values`` with
``unmapped``, ``default``, ``transform``, ``expr``, ``format``, lists of fallbacks), so
there is one mapping language, not two. What only files need is added here::

    tables:
      accounts:                        # a contract table (or any name, with table: …)
        from: crm_accounts.csv         # a file of the folder, or a list of same-shaped files
        where: "is_test == 'no'"       # keep only rows where this holds (expression.py)
        skip_if_missing: [Account ID]  # rows with these columns empty are skipped, counted
        lookups:                       # join: subscription.account_id reads another file
          subscription: {file: subs.csv, key: subscription_id, match: subscription_id}
        group_by: [account_id, date]   # aggregate: one contract row per distinct key
        columns:
          account_id: Account ID                    # rename
          arr: {expr: "[MRR] * 12"}                 # computed
          events: {aggregate: sum, field: clicks}   # sum | count | distinct | min | max

Every problem is reported at once, located by file and path
(``ravenstack.yaml: tables.accounts.columns.segment: …``); the folder's files and
headers are checked against the mapping before any row is read.
"""

from __future__ import annotations

import csv
import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.sources.importer.contract import SPECS
from bot.sources.importer.reader import FileFormatError, read_header
from bot.sources.sync.expression import Expression, ExpressionError, parse_expression
from bot.sources.sync.mapping import ColumnRule, MappingError, parse_rule, parse_yaml

AGGREGATES = ("sum", "count", "distinct", "min", "max")
_TABLE_KEYS = {"table", "from", "where", "skip_if_missing", "lookups", "group_by", "columns"}
_LOOKUP_KEYS = {"file", "key", "match", "missing"}
_LOOKUP_MISSING = ("error", "skip")


@dataclass(frozen=True, slots=True)
class Lookup:
    """Rows of ``file`` by ``key``; a mapped row finds its row by its ``match`` column.

    (Not ``on``: YAML 1.1 reads a bare ``on`` as the boolean true.)
    """

    name: str
    file: str
    key: str
    match: str
    missing: str = "error"  # or "skip": a row without a match is skipped, counted


@dataclass(frozen=True, slots=True)
class MappedColumn:
    rule: ColumnRule | None  # None: a plain row count
    aggregate: str | None = None

    @property
    def column(self) -> str:
        return self.rule.column if self.rule else ""


@dataclass(frozen=True, slots=True)
class TableMapping:
    name: str
    table: str
    files: tuple[str, ...]
    columns: tuple[tuple[str, MappedColumn], ...]
    where: Expression | None = None
    where_text: str = ""
    skip_if_missing: tuple[str, ...] = ()
    lookups: tuple[Lookup, ...] = ()
    group_by: tuple[str, ...] = ()

    def source_of(self, column: str) -> str:
        """How an error line names the source of a contract column: the export's own name."""
        for name, mapped in self.columns:
            if name != column:
                continue
            rule = mapped.rule
            inner = "rows" if rule is None else _describe(rule)
            return f"{mapped.aggregate}({inner})" if mapped.aggregate else inner
        return column


@dataclass(frozen=True, slots=True)
class CsvMapping:
    origin: str
    tables: tuple[TableMapping, ...]


def _describe(rule: ColumnRule) -> str:
    if rule.field is not None:
        return rule.field
    if rule.expression is not None:
        return rule.expression.text
    return f"{rule.column} (constant)"


def load_csv_mapping(path: Path) -> CsvMapping:
    """Read and validate a mapping file; MappingError lists every problem, located."""
    origin = Path(path).name
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise MappingError([f"{origin}: no such mapping file"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise MappingError([f"{origin}: cannot be read ({type(exc).__name__})"]) from None
    return parse_csv_mapping(parse_yaml(text, origin), origin)


def parse_csv_mapping(document: object, origin: str) -> CsvMapping:
    problems: list[str] = []
    if not isinstance(document, Mapping) or not isinstance(document.get("tables"), Mapping):
        raise MappingError([f"{origin}: tables: required (contract table: how to fill it)"])
    unknown = sorted(set(document) - {"tables", "description"})
    if unknown:
        problems.append(f"{origin}: unknown key(s) {', '.join(map(str, unknown))}")
    tables: list[TableMapping] = []
    for name, spec in document["tables"].items():
        parsed = _parse_table(f"{origin}: tables.{name}", str(name), spec, problems)
        if parsed is not None:
            tables.append(parsed)
    if not document["tables"]:
        problems.append(f"{origin}: tables: required (contract table: how to fill it)")
    if problems:
        raise MappingError(problems)
    return CsvMapping(origin=origin, tables=tuple(tables))


def _names(where: str, value: object, problems: list[str], what: str) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(i, str) and i.strip() for i in items):
        problems.append(f"{where}: expected {what} or a list of them")
        return ()
    return tuple(item.strip() for item in items)


def _parse_table(where: str, name: str, spec: object, problems: list[str]) -> TableMapping | None:
    if not isinstance(spec, Mapping):
        problems.append(f"{where}: expected a mapping with from and columns")
        return None
    unknown = sorted(set(spec) - _TABLE_KEYS)
    if unknown:
        problems.append(f"{where}: unknown key(s) {', '.join(map(str, unknown))}")
    table = spec.get("table", name)
    if not isinstance(table, str) or table not in SPECS:
        problems.append(f"{where}.table: {table!r} is not a contract table ({', '.join(SPECS)})")
        return None
    contract = SPECS[table]
    files = _names(f"{where}.from", spec.get("from"), problems, "a file name of the folder")
    for file_name in files:
        if Path(file_name).name != file_name or not file_name.lower().endswith(".csv"):
            problems.append(f"{where}.from: {file_name!r}: a .csv file name inside the folder")
    group_by = _names(f"{where}.group_by", spec.get("group_by", []), problems, "a contract column")
    lookups = _parse_lookups(f"{where}.lookups", spec.get("lookups", {}), problems)
    condition: Expression | None = None
    if spec.get("where") is not None:
        try:
            condition = parse_expression(spec["where"], condition=True)
        except ExpressionError as exc:
            problems.append(f"{where}.where: {exc}")
    skip = _names(f"{where}.skip_if_missing", spec.get("skip_if_missing", []), problems, "a column")
    columns_spec = spec.get("columns")
    if not isinstance(columns_spec, Mapping) or not columns_spec:
        problems.append(f"{where}.columns: required (contract column: how to make it)")
        return None
    columns: list[tuple[str, MappedColumn]] = []
    for column, rule_spec in columns_spec.items():
        column_name = str(column).lower()
        at = f"{where}.columns.{column}"
        if column_name not in contract.by_name:
            close = difflib.get_close_matches(column_name, list(contract.by_name), n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            problems.append(f"{at}: not a column of {table}{hint}")
            continue
        mapped = _parse_column(at, column_name, rule_spec, problems, table, bool(group_by))
        if mapped is not None:
            columns.append((column_name, mapped))
    present = {name for name, _ in columns}
    for column in contract.columns:
        if column.required and column.name not in present:
            problems.append(f"{where}.columns.{column.name}: required by the contract")
    for key in group_by:
        if key not in present:
            problems.append(f"{where}.group_by: {key!r} is not one of the columns")
    by_name = dict(columns)
    if group_by:
        for column, mapped in columns:
            if column in group_by and mapped.aggregate:
                problems.append(f"{where}.columns.{column}: a group_by column is not aggregated")
            if column not in group_by and not mapped.aggregate:
                problems.append(
                    f"{where}.columns.{column}: needs an aggregate ({', '.join(AGGREGATES)}) "
                    "or a place in group_by"
                )
        missing_key = [k for k in contract.key if k not in group_by and k in by_name]
        if missing_key:
            problems.append(
                f"{where}.group_by: must include the key of {table} ({', '.join(contract.key)})"
            )
    return TableMapping(
        name=name,
        table=str(table),
        files=files,
        columns=tuple(columns),
        where=condition,
        where_text=str(spec.get("where") or ""),
        skip_if_missing=skip,
        lookups=lookups,
        group_by=group_by,
    )


def _parse_column(
    where: str, column: str, spec: object, problems: list[str], table: str, grouped: bool
) -> MappedColumn | None:
    contract_column = SPECS[table].by_name[column]
    aggregate: str | None = None
    if isinstance(spec, Mapping) and "aggregate" in spec:
        aggregate = spec["aggregate"]
        spec = {k: v for k, v in spec.items() if k != "aggregate"}
        if aggregate not in AGGREGATES:
            problems.append(
                f"{where}.aggregate: {aggregate!r} is not one of {', '.join(AGGREGATES)}"
            )
            return None
        if not grouped:
            problems.append(f"{where}.aggregate: needs group_by on the table")
            return None
        if aggregate == "count" and not spec:
            return MappedColumn(None, aggregate)
    rule = parse_rule(where, column, spec, problems, contract_column.choices, contract_column.kind)
    return MappedColumn(rule, aggregate) if rule is not None else None


def _parse_lookups(where: str, spec: object, problems: list[str]) -> tuple[Lookup, ...]:
    if not isinstance(spec, Mapping):
        problems.append(f"{where}: expected name: {{file, key, match}}")
        return ()
    lookups: list[Lookup] = []
    for name, lookup in spec.items():
        at = f"{where}.{name}"
        if not isinstance(lookup, Mapping):
            problems.append(f"{at}: expected file, key and match")
            continue
        unknown = sorted(set(lookup) - _LOOKUP_KEYS)
        if unknown:
            problems.append(f"{at}: unknown key(s) {', '.join(map(str, unknown))}")
        values = {key: lookup.get(key) for key in ("file", "key", "match")}
        bad = [key for key, value in values.items() if not isinstance(value, str) or not value]
        for key in bad:
            problems.append(f"{at}.{key}: required")
        missing = lookup.get("missing", "error")
        if missing not in _LOOKUP_MISSING:
            problems.append(f"{at}.missing: {missing!r} is not one of {', '.join(_LOOKUP_MISSING)}")
        if bad or missing not in _LOOKUP_MISSING:
            continue
        file_name = str(values["file"])
        if Path(file_name).name != file_name or not file_name.lower().endswith(".csv"):
            problems.append(f"{at}.file: {file_name!r}: a .csv file name inside the folder")
            continue
        lookups.append(
            Lookup(str(name), file_name, str(values["key"]), str(values["match"]), missing)
        )
    return tuple(lookups)


def source_header(path: Path) -> list[str]:
    """A CSV file's column names exactly as written (mapping names match them exactly)."""
    read_header(path)  # located errors for empty, non-UTF-8 or malformed files
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return [name.strip() for name in next(csv.reader(handle))]


def check_against_folder(mapping: CsvMapping, folder: Path) -> dict[str, list[str]]:
    """Every file the mapping names exists and has every column it reads; file → header.

    Raises:
        MappingError: one located line per missing file or column.
    """
    problems: list[str] = []
    headers: dict[str, list[str]] = {}

    def header(file_name: str, where: str) -> list[str] | None:
        if file_name in headers:
            return headers[file_name]
        path = folder / file_name
        if not path.is_file():
            problems.append(f"{where}: {file_name}: no such file in {folder.name}")
            return None
        if path.is_symlink() and not path.resolve().is_relative_to(folder.resolve()):
            problems.append(f"{where}: {file_name}: symlink points outside the folder; refused")
            return None
        try:
            headers[file_name] = source_header(path)
        except FileFormatError as exc:
            problems.append(f"{file_name}:{exc.line}: {exc}")
            return None
        duplicates = sorted({c for c in headers[file_name] if headers[file_name].count(c) > 1})
        for column in duplicates:
            problems.append(f"{file_name}:1: {column}: column appears more than once")
        return headers[file_name]

    if not folder.is_dir():
        raise MappingError([f"{folder}: not a folder"])
    for table in mapping.tables:
        at = f"{mapping.origin}: tables.{table.name}"
        file_headers = [h for f in table.files if (h := header(f, f"{at}.from")) is not None]
        if len(file_headers) != len(table.files):
            continue
        lookup_columns: dict[str, tuple[str, list[str]] | None] = {}
        for lookup in table.lookups:
            found = header(lookup.file, f"{at}.lookups.{lookup.name}.file")
            lookup_columns[lookup.name] = (lookup.file, found) if found is not None else None
            if found is not None and lookup.key not in found:
                problems.append(
                    f"{at}.lookups.{lookup.name}.key: {_absent(lookup.key, found, lookup.file)}"
                )
        for file_name, columns in zip(table.files, file_headers, strict=True):
            names = _ColumnNames(file_name, columns, lookup_columns, problems)
            for lookup in table.lookups:
                names.check(lookup.match, f"{at}.lookups.{lookup.name}.match")
            if table.where is not None:
                for name in table.where.columns:  # expressions read the row's own columns
                    names.check(name, f"{at}.where", dotted=False)
            for name in table.skip_if_missing:
                names.check(name, f"{at}.skip_if_missing")
            for column, mapped in table.columns:
                if mapped.rule is None:
                    continue
                computed = _expression_columns(mapped.rule)
                for name in mapped.rule.reads():
                    names.check(name, f"{at}.columns.{column}", dotted=name not in computed)
    if problems:
        raise MappingError(list(dict.fromkeys(problems)))
    return headers


@dataclass
class _ColumnNames:
    """Checks that a name is a column of the file, or ``lookup.column`` of a lookup's file."""

    file: str
    columns: list[str]
    lookups: Mapping[str, tuple[str, list[str]] | None]
    problems: list[str]

    def check(self, name: str, where: str, *, dotted: bool = True) -> None:
        head, _, rest = name.partition(".") if dotted else (name, "", "")
        if rest and head in self.lookups:
            target = self.lookups[head]
            if target is not None and rest not in target[1]:
                self.problems.append(f"{where}: {_absent(rest, target[1], target[0])}")
        elif name not in self.columns:
            self.problems.append(f"{where}: {_absent(name, self.columns, self.file)}")


def _expression_columns(rule: ColumnRule) -> set[str]:
    own = set(rule.expression.columns) if rule.expression else set()
    return own.union(*(_expression_columns(r) for r in rule.fallbacks))


def _absent(name: str, columns: Sequence[str], file_name: str) -> str:
    close = difflib.get_close_matches(name, list(columns), n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"no column {name!r} in {file_name}{hint}"
