"""Vectorised checks of one chunk of text cells against a FileSpec.

Each check turns a column of strings into typed values and a list of problems at
once (pandas string ops), so validating millions of usage rows costs seconds, not
minutes. Problems carry the editor line, the column, the raw value and why.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from bot.sources.importer.contract import Column, FileSpec, Kind
from bot.sources.importer.limits import MAX_CELL_CHARS, NUMERIC_LIMITS, NumericLimit
from bot.sources.importer.reader import LINE

TRUE_WORDS = frozenset({"true", "1", "yes"})
FALSE_WORDS = frozenset({"false", "0", "no"})
_INT_PATTERN = r"^[+-]?\d+$"
_NUMBER_PATTERN = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"
_DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
# More digits than any 64-bit integer has: refused before the cast, which would overflow.
_HUGE_INT_PATTERN = r"^[+-]?0*\d{19,}$"


@dataclass(frozen=True)
class Problem:
    line: int
    column: str
    value: str
    why: str


@dataclass
class CheckedChunk:
    """Typed columns (pandas Series, nulls as NA/NaT) and the problems found."""

    lines: pd.Series
    values: dict[str, pd.Series] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def check_chunk(spec: FileSpec, chunk: pd.DataFrame, present: list[str]) -> CheckedChunk:
    checked = CheckedChunk(lines=chunk[LINE])
    for column in spec.columns:
        if column.name not in present:
            continue
        raw = chunk[column.name].str.strip()
        limit = NUMERIC_LIMITS.get((spec.table, column.name))
        typed, problems = _check_column(column, raw, chunk[LINE], limit)
        checked.values[column.name] = typed
        checked.problems.extend(problems)
    if "end_not_before_start" in spec.checks:
        checked.problems.extend(_end_not_before_start(checked, chunk))
    return checked


def _problems(
    mask: pd.Series, raw: pd.Series, lines: pd.Series, column: str, why: str
) -> list[Problem]:
    if not mask.any():
        return []
    return [
        Problem(int(line), column, value, why)
        for line, value in zip(lines[mask].tolist(), raw[mask].tolist(), strict=True)
    ]


def _check_column(
    column: Column, raw: pd.Series, lines: pd.Series, limit: NumericLimit | None = None
) -> tuple[pd.Series, list[Problem]]:
    empty = raw == ""
    problems: list[Problem] = []
    if column.required:
        problems += _problems(empty, raw, lines, column.name, "is required")
    if column.default is not None:
        raw = raw.mask(empty, column.default)
        empty = raw == ""
    filled = ~empty
    kind = column.kind
    if kind is Kind.TEXT:
        typed = raw.mask(empty, None)
        # PostgreSQL cannot store NUL at all and SQLite would keep it silently: refuse both.
        nul = raw.str.contains("\x00", regex=False)
        problems += _problems(nul, raw, lines, column.name, "contains a NUL character")
        if column.choices is not None:
            lowered = raw.str.lower()
            bad = filled & ~nul & ~lowered.isin(column.choices)
            problems += _problems(
                bad, raw, lines, column.name, f"must be one of {', '.join(column.choices)}"
            )
            typed = lowered.mask(empty, None)
        max_length = column.max_length or MAX_CELL_CHARS
        too_long = filled & ~nul & (raw.str.len() > max_length)
        why = (
            f"is longer than {max_length} characters"
            if column.max_length
            else f"is longer than the {MAX_CELL_CHARS}-character cell limit"
        )
        problems += _problems(too_long, raw, lines, column.name, why)
        return typed, problems
    if kind is Kind.INT:
        bad = filled & ~raw.str.match(_INT_PATTERN)
        problems += _problems(bad, raw, lines, column.name, "is not a whole number")
        huge = filled & ~bad & raw.str.match(_HUGE_INT_PATTERN)
        typed = _cast(raw, empty | bad | huge, "int64[pyarrow]").astype("Int64")
        typed, outside = _storage_range(typed, huge, raw, lines, column, limit)
        problems += outside
        problems += _range_problems(column, typed, raw, lines)
        return typed, problems
    if kind in (Kind.FLOAT, Kind.DECIMAL):
        bad = filled & ~raw.str.match(_NUMBER_PATTERN)
        problems += _problems(bad, raw, lines, column.name, "is not a number")
        typed = _cast(raw, empty | bad, "float64[pyarrow]").astype("Float64")
        typed, outside = _storage_range(typed, None, raw, lines, column, limit)
        problems += outside
        if kind is Kind.DECIMAL:
            with np.errstate(over="ignore", invalid="ignore"):  # refused cells stay masked
                typed = typed.round(2)
        problems += _range_problems(column, typed, raw, lines)
        return typed, problems
    if kind is Kind.BOOL:
        lowered = raw.str.lower()
        is_true = lowered.isin(TRUE_WORDS)
        bad = filled & ~is_true & ~lowered.isin(FALSE_WORDS)
        problems += _problems(
            bad, raw, lines, column.name, "is not a boolean (true/false/1/0/yes/no)"
        )
        typed = is_true.astype("boolean").mask(empty | bad, pd.NA)
        return typed, problems
    if kind is Kind.DATE:
        shaped = raw.str.match(_DATE_PATTERN)
        parsed = pd.to_datetime(
            raw.where(filled & shaped, None), format="%Y-%m-%d", errors="coerce"
        )
        bad = filled & parsed.isna()
        problems += _problems(bad, raw, lines, column.name, "is not a date (YYYY-MM-DD)")
        return parsed, problems
    if kind is Kind.DATETIME:
        parsed = pd.to_datetime(
            raw.where(filled, None), format="ISO8601", utc=True, errors="coerce"
        )
        bad = filled & parsed.isna()
        problems += _problems(bad, raw, lines, column.name, "is not an ISO 8601 date-time")
        return parsed, problems
    raise AssertionError(f"unhandled kind {kind}")


def _cast(raw: pd.Series, unusable: pd.Series, dtype: str) -> pd.Series:
    """Cast checked text to numbers in Arrow (vectorised); unusable cells become null."""
    return raw.astype("string[pyarrow]").mask(unusable, None).astype(dtype)


def _storage_range(
    typed: pd.Series,
    huge: pd.Series | None,
    raw: pd.Series,
    lines: pd.Series,
    column: Column,
    limit: NumericLimit | None,
) -> tuple[pd.Series, list[Problem]]:
    """Refuse what the store cannot hold (Inf, beyond Numeric/Integer); those become null."""
    if limit is None:
        return typed, []
    magnitude = typed.abs()
    beyond = magnitude >= limit.high if not limit.inclusive else magnitude > limit.high
    beyond = beyond.fillna(False).astype(bool)
    if huge is not None:
        beyond = beyond | huge
    if not beyond.any():
        return typed, []
    negative = raw.str.startswith("-")
    problems = _problems(
        beyond & ~negative, raw, lines, column.name, f"is too large (at most {limit.label})"
    )
    problems += _problems(
        beyond & negative, raw, lines, column.name, f"is too small (at least -{limit.label})"
    )
    problems.sort(key=lambda problem: problem.line)
    return typed.mask(beyond, pd.NA), problems


def _range_problems(
    column: Column, typed: pd.Series, raw: pd.Series, lines: pd.Series
) -> list[Problem]:
    problems: list[Problem] = []
    known = typed.notna()
    if column.minimum is not None and column.maximum is not None:
        outside = known & ((typed < column.minimum) | (typed > column.maximum))
        why = f"must be between {column.minimum:g} and {column.maximum:g}"
        problems += _problems(outside.fillna(False).astype(bool), raw, lines, column.name, why)
    elif column.minimum is not None:
        below = known & (typed < column.minimum)
        why = (
            "must not be negative"
            if column.minimum == 0
            else f"must be at least {column.minimum:g}"
        )
        problems += _problems(below.fillna(False).astype(bool), raw, lines, column.name, why)
    return problems


def _end_not_before_start(checked: CheckedChunk, chunk: pd.DataFrame) -> list[Problem]:
    start = checked.values.get("start_date")
    end = checked.values.get("end_date")
    if start is None or end is None:
        return []
    before = (end < start).fillna(False)
    if not before.any():
        return []
    return [
        Problem(int(line), "end_date", raw_end, f"is before start_date {raw_start}")
        for line, raw_end, raw_start in zip(
            chunk.loc[before, LINE].tolist(),
            chunk.loc[before, "end_date"].tolist(),
            chunk.loc[before, "start_date"].tolist(),
            strict=True,
        )
    ]
