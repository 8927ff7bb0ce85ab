"""Finding export files under a folder or object-store path, and reading them line by line.

Paths go through fsspec (a local folder, ``file://``, ``memory://``, ``s3://`` when s3fs is
installed), so the same code reads a laptop folder and a bucket. A file is read as a
stream of lines (gzip decompressed on the fly for ``.gz``): memory stays flat however
large the file is. Files are listed in name order, which for day/hour partitioned
exports (``2026/03/01/13.jsonl.gz``) is time order.
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import fsspec
from fsspec.spec import AbstractFileSystem

from bot.sources.sync.protocol import SourceError

SUFFIXES = (".json", ".jsonl", ".ndjson")


@dataclass(frozen=True, slots=True)
class ExportFile:
    """One export file: ``name`` is its path below the configured root (cursor key)."""

    path: str
    name: str
    size: int


def _wanted(name: str) -> bool:
    base = name[:-3] if name.endswith(".gz") else name
    return base.endswith(SUFFIXES)


class ExportFolder:
    """The export files under one path (a file, or a folder searched recursively)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.fs: AbstractFileSystem
        try:
            self.fs, self.root = fsspec.core.url_to_fs(url)
        except (ImportError, ValueError) as exc:
            raise SourceError(f"events: CSBOT_EVENTS_PATH {url!r}: cannot open ({exc})") from None

    def files(self) -> list[ExportFile]:
        """Every .json/.jsonl/.ndjson(.gz) file, by name; a missing path is a SourceError."""
        try:
            if self.fs.isfile(self.root):
                info = self.fs.info(self.root)
                name = self.root.rsplit("/", 1)[-1]
                return [ExportFile(self.root, name, int(info.get("size") or 0))]
            if not self.fs.isdir(self.root):
                raise SourceError(f"events: CSBOT_EVENTS_PATH {self.url!r}: no such file or folder")
            found = self.fs.find(self.root, detail=True)
        except OSError as exc:
            where = f"events: CSBOT_EVENTS_PATH {self.url!r}"
            raise SourceError(f"{where}: cannot list ({exc})") from None
        prefix = self.root.rstrip("/") + "/"
        files = [
            ExportFile(path, path.removeprefix(prefix), int(info.get("size") or 0))
            for path, info in found.items()
            if info.get("type") == "file" and _wanted(path)
        ]
        return sorted(files, key=lambda f: f.name)

    def lines(self, export: ExportFile) -> Iterator[tuple[int, Any]]:
        """(line number, decoded JSON or the ValueError it raised) for each non-blank line.

        A read failure (a truncated gzip, a vanished object) is a SourceError naming the
        file and the line reached; a line that is not JSON is handed over as its error, so
        the caller locates it with everything else it checks.
        """
        number = 0
        try:
            with self.fs.open(export.path, "rb") as raw:
                stream = gzip.GzipFile(fileobj=raw) if export.path.endswith(".gz") else raw
                for number, line in enumerate(stream, start=1):  # noqa: B007 - used after
                    if not line.strip():
                        continue
                    try:
                        yield number, json.loads(line)
                    except ValueError as exc:
                        yield number, exc
        except (OSError, EOFError, zlib.error) as exc:
            raise SourceError(
                f"events {export.name}:{number + 1}: cannot read the file ({type(exc).__name__})"
            ) from None
