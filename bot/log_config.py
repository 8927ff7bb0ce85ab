"""Structured logging, configured once by the entry point (never at import)."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

_STANDARD_ATTRS = set(vars(logging.makeLogRecord({})).keys()) | {"message", "asctime"}

LIBRARY_LOGGER_PREFIXES = ("slack_bolt", "slack_sdk", "csbot.slack_bolt")
"""Bolt's own loggers (``csbot.slack_bolt`` is the logger ``create_app`` hands to Bolt)."""

MAX_LIBRARY_MESSAGE_CHARS = 300


class LibraryMessageGuard(logging.Filter):
    """Keep request bodies that Slack's libraries put into messages out of the log.

    Bolt writes the raw body into "Invalid request signature detected (…, body: …)"
    at INFO, the whole parsed body into its global-middleware warning, and multi-line
    code suggestions after "Unhandled request (…)". The gate in :mod:`bot.http_gate`
    refuses forged and oversized requests before Bolt runs, so these are a second line:
    the signature message loses its details, and every library message is cut to its
    first line and :data:`MAX_LIBRARY_MESSAGE_CHARS` characters.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.name.startswith(LIBRARY_LOGGER_PREFIXES):
            return True
        message = record.getMessage()
        if message.startswith("Invalid request signature detected"):
            message = "Invalid request signature detected (details withheld: they hold the body)"
        first_line = message.split("\n", 1)[0]
        if len(first_line) > MAX_LIBRARY_MESSAGE_CHARS:
            first_line = f"{first_line[:MAX_LIBRARY_MESSAGE_CHARS]}… ({len(message)} chars, cut)"
        record.msg, record.args = first_line, None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: the event plus whatever was passed in ``extra=``."""

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "at": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRS and not key.startswith("_"):
                payload[key] = value
        if record.exc_info:
            payload["exc"] = self.formatException(record.exc_info)
        return json.dumps(payload, default=str)


class KeyValueFormatter(logging.Formatter):
    """Human-readable ``level logger event key=value`` lines for terminals."""

    def format(self, record: logging.LogRecord) -> str:
        extras = " ".join(
            f"{key}={value}"
            for key, value in vars(record).items()
            if key not in _STANDARD_ATTRS and not key.startswith("_")
        )
        line = f"{record.levelname.lower():7} {record.name}: {record.getMessage()}"
        if extras:
            line = f"{line} {extras}"
        if record.exc_info:
            line = f"{line}\n{self.formatException(record.exc_info)}"
        return line


def configure_logging(level: str = "INFO", *, json_lines: bool = False) -> None:
    """Send structured logs to stderr so stdout stays clean for command output."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if json_lines else KeyValueFormatter())
    handler.addFilter(LibraryMessageGuard())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("httpx", "urllib3", "chromadb", "sentence_transformers", "alembic"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))


def quiet_console_for_chat() -> None:
    """The interactive chat shares the terminal with answers: only warnings and errors
    reach it, so ``info`` lines never land in the middle of an answer."""
    root = logging.getLogger()
    for handler in root.handlers:
        handler.setLevel(max(logging.WARNING, handler.level))
