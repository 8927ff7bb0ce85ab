"""An independent reading of a contract folder: every cell parsed and checked against the spec.

Written apart from the importer on purpose (plain ``csv`` + ``datetime``), so a demo
file that only passes because both sides share a bug is still caught.
"""

from __future__ import annotations

import csv
import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from bot.sources.importer.contract import CONTRACT, Column, Kind

_BOOLS = {"true": True, "false": False, "1": True, "0": False, "yes": True, "no": False}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_cell(column: Column, raw: str) -> Any:
    """The typed value of one cell; raises ValueError naming why it is not allowed."""
    if raw == "":
        if column.required:
            raise ValueError("required")
        return None
    kind = column.kind
    if kind is Kind.TEXT:
        if column.choices is not None and raw not in column.choices:
            raise ValueError(f"not one of {column.choices}")
        if column.max_length is not None and len(raw) > column.max_length:
            raise ValueError("too long")
        return raw
    if kind is Kind.INT:
        if not re.fullmatch(r"-?\d+", raw):
            raise ValueError("not an integer")
        value: Any = int(raw)
    elif kind in (Kind.FLOAT, Kind.DECIMAL):
        try:
            value = Decimal(raw)
        except InvalidOperation:
            raise ValueError("not a number") from None
        if kind is Kind.DECIMAL and value.as_tuple().exponent < -2:  # type: ignore[operator]
            raise ValueError("more than two decimals")
    elif kind is Kind.BOOL:
        if raw not in _BOOLS:
            raise ValueError("not a boolean")
        return _BOOLS[raw]
    elif kind is Kind.DATE:
        if not _DATE.match(raw):
            raise ValueError("not YYYY-MM-DD")
        return date.fromisoformat(raw)
    elif kind is Kind.DATETIME:
        parsed = datetime.fromisoformat(raw)
        if parsed.tzinfo is None:
            raise ValueError("expected an explicit UTC offset")
        return parsed
    else:  # pragma: no cover
        raise AssertionError(kind)
    if column.minimum is not None and value < column.minimum:
        raise ValueError("below minimum")
    if column.maximum is not None and value > column.maximum:
        raise ValueError("above maximum")
    return value


def read_folder(folder: Path) -> tuple[dict[str, list[dict[str, Any]]], list[str]]:
    """(typed rows per table, problems): types, choices, ranges, keys, references, dates."""
    tables: dict[str, list[dict[str, Any]]] = {}
    problems: list[str] = []
    for spec in CONTRACT:
        path = folder / f"{spec.table}.csv"
        if not path.exists():
            problems.append(f"{path.name}: missing")
            continue
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.reader(handle)
            header = next(reader)
            if header != [c.name for c in spec.columns]:
                problems.append(f"{path.name}: header {header}")
                continue
            rows = []
            seen: set[tuple[Any, ...]] = set()
            for line, cells in enumerate(reader, start=2):
                if len(cells) != len(header):
                    problems.append(f"{path.name}:{line}: {len(cells)} cells")
                    continue
                row = {}
                for column, raw in zip(spec.columns, cells, strict=True):
                    try:
                        row[column.name] = parse_cell(column, raw)
                    except ValueError as exc:
                        problems.append(f"{path.name}:{line}: {column.name}: {raw!r}: {exc}")
                key = tuple(row.get(k) for k in spec.key)
                if key in seen:
                    problems.append(f"{path.name}:{line}: duplicate key {key}")
                seen.add(key)
                if "start_date" in row and row["end_date"] < row["start_date"]:
                    problems.append(f"{path.name}:{line}: end_date before start_date")
                rows.append(row)
        tables[spec.table] = rows
    for spec in CONTRACT:
        for column in spec.columns:
            if column.references is None or spec.table not in tables:
                continue
            target = next(s for s in CONTRACT if s.table == column.references)
            keys = {row[target.key[0]] for row in tables.get(target.table, [])}
            for number, row in enumerate(tables[spec.table], start=2):
                value = row[column.name]
                if value is not None and value not in keys:
                    problems.append(f"{spec.table}.csv:{number}: {column.name}: {value!r} dangles")
    return tables, problems
