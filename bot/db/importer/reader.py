"""Read contract files in bounded chunks of text cells, each row tagged with its editor line.

Lines are numbered as an editor shows them (a CSV header is line 1), also when a quoted
cell spans several lines: such files go through the ``csv`` module, which knows where
each record starts; plain files take pandas' faster C parser.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

LINE = "__line__"
CHUNK_ROWS = 100_000
_SNIFF_BYTES = 1 << 20


class FileFormatError(ValueError):
    """The file cannot be read at all (bad encoding, broken JSON line, no header)."""

    def __init__(self, line: int, message: str) -> None:
        self.line = line
        super().__init__(message)


@dataclass(frozen=True)
class Header:
    columns: list[str]  # lower-cased, in file order


def read_header(path: Path) -> Header:
    if path.suffix.lower() == ".jsonl":
        return Header(columns=_jsonl_columns(path))
    with path.open(newline="", encoding="utf-8-sig") as handle:
        try:
            row = next(csv.reader(handle))
        except StopIteration:
            raise FileFormatError(1, "the file is empty (a header row is required)") from None
        except UnicodeDecodeError as exc:
            raise FileFormatError(1, f"not UTF-8 text ({exc.reason})") from None
    return Header(columns=[name.strip().lower() for name in row])


def iter_chunks(
    path: Path, columns: list[str], chunk_rows: int = CHUNK_ROWS
) -> Iterator[pd.DataFrame]:
    """Yield DataFrames of strings (empty cell = "") plus the ``__line__`` column."""
    if path.suffix.lower() == ".jsonl":
        yield from _jsonl_chunks(path, columns, chunk_rows)
    elif _needs_exact_line_tracking(path):
        yield from _csv_module_chunks(path, columns, chunk_rows)
    else:
        yield from _pandas_chunks(path, columns, chunk_rows)


def _needs_exact_line_tracking(path: Path) -> bool:
    """Quotes may hide newlines inside cells; blank lines shift pandas' row numbers."""
    with path.open("rb") as handle:
        previous_tail = b""
        while block := handle.read(_SNIFF_BYTES):
            window = previous_tail + block
            if b'"' in block or b"\n\n" in window or b"\n\r\n" in window:
                return True
            previous_tail = block[-2:]
    return False


def _pandas_chunks(path: Path, columns: list[str], chunk_rows: int) -> Iterator[pd.DataFrame]:
    first_line = 2
    try:
        reader = pd.read_csv(
            path,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            header=0,
            names=columns,
            chunksize=chunk_rows,
            encoding="utf-8-sig",
            skip_blank_lines=False,
            engine="c",
        )
        for chunk in reader:
            chunk = chunk.fillna("")
            chunk[LINE] = range(first_line, first_line + len(chunk))
            first_line += len(chunk)
            yield chunk
    except UnicodeDecodeError as exc:
        raise FileFormatError(first_line, f"not UTF-8 text ({exc.reason})") from None
    except pd.errors.ParserError as exc:
        raise FileFormatError(first_line, f"malformed CSV ({exc})") from None


def _csv_module_chunks(path: Path, columns: list[str], chunk_rows: int) -> Iterator[pd.DataFrame]:
    width = len(columns)
    rows: list[list[str]] = []
    lines: list[int] = []
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        try:
            next(reader)
            next_start = reader.line_num + 1
            for row in reader:
                start, next_start = next_start, reader.line_num + 1
                if not row:  # blank line
                    continue
                if len(row) > width:
                    raise FileFormatError(start, f"has {len(row)} cells but the header has {width}")
                if len(row) < width:
                    row += [""] * (width - len(row))
                rows.append(row)
                lines.append(start)
                if len(rows) >= chunk_rows:
                    yield _frame(rows, lines, columns)
                    rows, lines = [], []
        except UnicodeDecodeError as exc:
            raise FileFormatError(next_start, f"not UTF-8 text ({exc.reason})") from None
        except csv.Error as exc:
            raise FileFormatError(reader.line_num, f"malformed CSV ({exc})") from None
    if rows:
        yield _frame(rows, lines, columns)


def _frame(rows: list[list[str]], lines: list[int], columns: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=columns, dtype=str)
    frame[LINE] = lines
    return frame


def _jsonl_columns(path: Path) -> list[str]:
    seen: dict[str, None] = {}
    for _line_number, record in _jsonl_records(path):
        for name in record:
            seen.setdefault(name.strip().lower(), None)
    return list(seen)


def _jsonl_records(path: Path) -> Iterator[tuple[int, dict[str, object]]]:
    with path.open(encoding="utf-8-sig") as handle:
        line_number = 0
        try:
            for line_number, text in enumerate(handle, start=1):  # noqa: B007
                if not text.strip():
                    continue
                try:
                    record = json.loads(text)
                except json.JSONDecodeError as exc:
                    raise FileFormatError(line_number, f"not valid JSON ({exc.msg})") from None
                if not isinstance(record, dict):
                    raise FileFormatError(line_number, "each line must be a JSON object")
                yield line_number, record
        except UnicodeDecodeError as exc:
            raise FileFormatError(line_number + 1, f"not UTF-8 text ({exc.reason})") from None


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return str(value)


def _jsonl_chunks(path: Path, columns: list[str], chunk_rows: int) -> Iterator[pd.DataFrame]:
    rows: list[list[str]] = []
    lines: list[int] = []
    for line_number, record in _jsonl_records(path):
        lowered = {name.strip().lower(): value for name, value in record.items()}
        rows.append([_cell(lowered.get(column)) for column in columns])
        lines.append(line_number)
        if len(rows) >= chunk_rows:
            yield _frame(rows, lines, columns)
            rows, lines = [], []
    if rows:
        yield _frame(rows, lines, columns)
