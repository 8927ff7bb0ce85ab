"""Read contract files in bounded chunks of text cells, each row tagged with its editor line.

Lines are numbered as an editor shows them (a CSV header is line 1), also when a quoted
cell spans several lines: such files go through the ``csv`` module, which knows where
each record starts; plain files take pandas' faster C parser. The fast path stays fast:
only when it fails (bad bytes, a ragged row) is the file scanned again, byte by byte or
with the ``csv`` module, to name the exact line. Every message is one short line.

JSON Lines values must have the column's JSON type (a string for text, a number or a
numeric string for numbers, …); a wrong-typed cell is returned as a ``Rejected`` cell
rather than being stored as JSON text.
"""

from __future__ import annotations

import codecs
import csv
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from bot.sources.importer.contract import Kind
from bot.sources.importer.limits import MAX_CELL_CHARS

LINE = "__line__"
CHUNK_ROWS = 100_000
_SNIFF_BYTES = 1 << 20


class FileFormatError(ValueError):
    """The file cannot be read at all (bad encoding, broken JSON line, no header)."""

    def __init__(self, line: int, message: str) -> None:
        self.line = line
        super().__init__(message)


@dataclass(frozen=True)
class Rejected:
    """A JSON Lines cell of the wrong JSON type; its cell in the frame is left empty."""

    line: int
    column: str
    value: str  # the JSON text, for the error message
    why: str


@dataclass
class Chunk:
    frame: pd.DataFrame  # strings (empty cell = "") plus the ``__line__`` column
    rejected: list[Rejected] = field(default_factory=list)


@dataclass(frozen=True)
class Header:
    columns: list[str]  # lower-cased, in file order


def read_header(path: Path) -> Header:
    if path.suffix.lower() == ".jsonl":
        return Header(columns=_jsonl_columns(path))
    _allow_cells_up_to_the_limit()
    with path.open(newline="", encoding="utf-8-sig") as handle:
        try:
            row = next(csv.reader(handle))
        except StopIteration:
            raise FileFormatError(1, "the file is empty (a header row is required)") from None
        except UnicodeDecodeError:
            raise _utf8_error(path) from None
        except csv.Error as exc:
            raise _csv_error(1, exc) from None
    return Header(columns=[name.strip().lower() for name in row])


def iter_chunks(
    path: Path,
    columns: list[str],
    chunk_rows: int = CHUNK_ROWS,
    kinds: Mapping[str, Kind] | None = None,
) -> Iterator[Chunk]:
    """Yield chunks of text cells; ``kinds`` (column → Kind) type-checks JSON Lines values."""
    if path.suffix.lower() == ".jsonl":
        yield from _jsonl_chunks(path, columns, chunk_rows, kinds or {})
    elif _needs_exact_line_tracking(path):
        for frame in _csv_module_chunks(path, columns, chunk_rows):
            yield Chunk(frame)
    else:
        for frame in _pandas_chunks(path, columns, chunk_rows):
            yield Chunk(frame)


def _allow_cells_up_to_the_limit() -> None:
    """The csv module's own default (128 KiB) would be a second, undocumented limit."""
    if csv.field_size_limit() != MAX_CELL_CHARS:
        csv.field_size_limit(MAX_CELL_CHARS)


def _utf8_error(path: Path) -> FileFormatError:
    """Find the first byte that is not UTF-8 and name its editor line (decoders read ahead)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    line, offset = 1, 0
    with path.open("rb") as handle:
        while block := handle.read(_SNIFF_BYTES):
            try:
                decoder.decode(block)
            except UnicodeDecodeError as exc:
                start = max(exc.start, 0)
                line += block.count(b"\n", 0, start)
                where = f"byte {offset + start + 1} of the file"
                return FileFormatError(line, f"not UTF-8 text ({exc.reason} at {where})")
            line += block.count(b"\n")
            offset += len(block)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            return FileFormatError(line, f"not UTF-8 text ({exc.reason})")
    return FileFormatError(line, "not UTF-8 text")


def _csv_error(line: int, exc: csv.Error) -> FileFormatError:
    """csv's messages, reworded; never echo the record (an open quote swallows the file)."""
    text = str(exc)
    if "field larger than field limit" in text:
        return FileFormatError(line, f"a cell is longer than the {MAX_CELL_CHARS}-character limit")
    if "unexpected end of data" in text:
        return FileFormatError(
            line, "malformed CSV (a quoted cell in the row starting here is never closed)"
        )
    return FileFormatError(line, f"malformed CSV ({text[:120]})")


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
    except UnicodeDecodeError:
        raise _utf8_error(path) from None
    except pd.errors.ParserError as exc:
        raise _locate_parser_error(path, columns, first_line, exc) from None


def _locate_parser_error(
    path: Path, columns: list[str], first_line: int, exc: pd.errors.ParserError
) -> FileFormatError:
    """pandas names the chunk, not the row: let the csv module find the bad row."""
    try:
        for _ in _csv_module_chunks(path, columns, CHUNK_ROWS):
            pass
    except FileFormatError as located:
        return located
    match = re.search(r"in line (\d+)", str(exc))
    return FileFormatError(int(match.group(1)) if match else first_line, "malformed CSV")


def _csv_module_chunks(path: Path, columns: list[str], chunk_rows: int) -> Iterator[pd.DataFrame]:
    width = len(columns)
    rows: list[list[str]] = []
    lines: list[int] = []
    _allow_cells_up_to_the_limit()
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle, strict=True)
        next_start = 1
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
        except UnicodeDecodeError:
            raise _utf8_error(path) from None
        except csv.Error as exc:
            raise _csv_error(next_start, exc) from None
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
        except UnicodeDecodeError:
            raise _utf8_error(path) from None


_JSON_TYPE_NAMES = {
    bool: "a boolean",
    int: "a number",
    float: "a number",
    str: "a string",
    dict: "an object",
    list: "an array",
}
# Which JSON types each kind of column takes besides a string (always accepted) and null.
_ALSO_ACCEPTED: dict[Kind, tuple[type, ...]] = {
    Kind.TEXT: (),
    Kind.INT: (int,),
    Kind.FLOAT: (int, float),
    Kind.DECIMAL: (int, float),
    Kind.BOOL: (bool, int),
    Kind.DATE: (),
    Kind.DATETIME: (),
}
_EXPECTED = {
    Kind.TEXT: "a JSON string",
    Kind.INT: "a JSON number or string",
    Kind.FLOAT: "a JSON number or string",
    Kind.DECIMAL: "a JSON number or string",
    Kind.BOOL: "a JSON boolean or string",
    Kind.DATE: "a JSON string",
    Kind.DATETIME: "a JSON string",
}


def _cell(value: object, kind: Kind | None) -> str | None:
    """The cell text, or None when the JSON type does not fit the column."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if kind is None:  # not a contract column: ignored anyway
        return json.dumps(value)
    accepted = _ALSO_ACCEPTED[kind]
    if isinstance(value, bool) and bool not in accepted:
        return None
    if not isinstance(value, accepted):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _jsonl_chunks(
    path: Path, columns: list[str], chunk_rows: int, kinds: Mapping[str, Kind]
) -> Iterator[Chunk]:
    rows: list[list[str]] = []
    lines: list[int] = []
    rejected: list[Rejected] = []
    column_kinds = [kinds.get(column) for column in columns]
    for line_number, record in _jsonl_records(path):
        lowered = {name.strip().lower(): value for name, value in record.items()}
        row: list[str] = []
        for column, kind in zip(columns, column_kinds, strict=True):
            value = lowered.get(column)
            cell = _cell(value, kind)
            if cell is None:
                type_name = _JSON_TYPE_NAMES.get(type(value), type(value).__name__)
                rejected.append(
                    Rejected(
                        line_number,
                        column,
                        json.dumps(value)[:200],
                        f"must be {_EXPECTED[kind]}, not {type_name}",  # type: ignore[index]
                    )
                )
                cell = ""
            row.append(cell)
        rows.append(row)
        lines.append(line_number)
        if len(rows) >= chunk_rows:
            yield Chunk(_frame(rows, lines, columns), rejected)
            rows, lines, rejected = [], [], []
    if rows:
        yield Chunk(_frame(rows, lines, columns), rejected)
