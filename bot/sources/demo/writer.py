"""Writes a contract folder all-or-nothing: a staging folder, then one swap into place.

A half-generated demo must never be imported, and a folder of someone's real
exports must never be overwritten by demo data: the target is replaced only when
it is empty, missing, or carries the marker a previous demo run left there.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import pandas as pd

from bot.sources.demo.rows import COLUMNS, TABLES, Cell

MARKER = ".csbot-demo.json"


class DemoFolderTaken(ValueError):
    """The output folder holds files that a demo run did not write."""


class FolderWriter:
    """A :class:`~bot.sources.demo.rows.RowSink` writing one CSV per contract table."""

    def __init__(self, out: Path) -> None:
        self.out = Path(out)
        self.rows: dict[str, int] = dict.fromkeys(TABLES, 0)
        self._staging = self.out.parent / f".{self.out.name}.partial-{os.getpid()}"
        self._handles: dict[str, IO[str]] = {}
        self._writers: dict[str, Any] = {}

    def __enter__(self) -> FolderWriter:
        if self.out.exists():
            if not self.out.is_dir():
                raise DemoFolderTaken(f"{self.out}: exists and is not a folder")
            if any(self.out.iterdir()) and not (self.out / MARKER).exists():
                raise DemoFolderTaken(
                    f"{self.out}: folder holds files a demo run did not write; "
                    "choose an empty folder with --out"
                )
        if self._staging.exists():
            shutil.rmtree(self._staging)
        self._staging.mkdir(parents=True)
        for table in TABLES:
            handle = (self._staging / f"{table}.csv").open("w", newline="", encoding="utf-8")
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(COLUMNS[table])
            self._handles[table] = handle
            self._writers[table] = writer
        return self

    def add(self, table: str, row: list[Cell]) -> None:
        self._writers[table].writerow(row)
        self.rows[table] += 1

    def add_frame(self, table: str, frame: pd.DataFrame) -> None:
        """Bulk rows (usage): columns in contract order, floats already rounded.

        Floats print in their shortest form, so a value rounded to one decimal
        prints with one decimal, and faster than through ``float_format``.
        """
        frame.to_csv(
            self._handles[table],
            header=False,
            index=False,
            lineterminator="\n",
        )
        self.rows[table] += len(frame)

    def commit(self, metadata: dict[str, Any]) -> None:
        """Close the files and swap the finished folder into place."""
        self._close()
        marker = {**metadata, "rows": self.rows}
        (self._staging / MARKER).write_text(json.dumps(marker, indent=2, sort_keys=True) + "\n")
        retired = self.out.parent / f".{self.out.name}.old-{os.getpid()}"
        if self.out.exists():
            self.out.rename(retired)
        self._staging.rename(self.out)
        if retired.exists():
            shutil.rmtree(retired)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._close()
        if self._staging.exists():
            shutil.rmtree(self._staging)

    def _close(self) -> None:
        for handle in self._handles.values():
            if not handle.closed:
                handle.close()
