"""Per-request Slack fields (team, channel, user, event id) on every log line.

Middleware binds the fields once per request; a log-record factory copies them onto
each record so the JSON/key-value formatters print them without every call site
passing ``extra=``. Bolt runs listeners on an executor, and plain thread pools drop
context variables, so :class:`ContextCopyingThreadPoolExecutor` carries them across.
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from types import MappingProxyType
from typing import Any, ParamSpec, TypeVar

_P = ParamSpec("_P")
_T = TypeVar("_T")

_EMPTY: Mapping[str, str] = MappingProxyType({})
_fields: contextvars.ContextVar[Mapping[str, str]] = contextvars.ContextVar(
    "csbot_slack_log_fields", default=_EMPTY
)
_installed = False


def bind_log_fields(fields: Mapping[str, str | None]) -> None:
    """Replace the fields for the current request (``None`` values are left out)."""
    _fields.set(MappingProxyType({k: v for k, v in fields.items() if v is not None}))


def current_log_fields() -> Mapping[str, str]:
    return _fields.get()


def install_log_record_factory() -> None:
    """Add the bound fields to every log record; idempotent, called by ``create_app``."""
    global _installed
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        for key, value in _fields.get().items():
            if not hasattr(record, key):
                setattr(record, key, value)
        return record

    logging.setLogRecordFactory(factory)
    _installed = True


class ContextCopyingThreadPoolExecutor(ThreadPoolExecutor):
    """A thread pool whose tasks see the submitting thread's context variables."""

    def submit(  # type: ignore[override]
        self, fn: Callable[_P, _T], /, *args: _P.args, **kwargs: _P.kwargs
    ) -> Future[_T]:
        context = contextvars.copy_context()
        return super().submit(context.run, fn, *args, **kwargs)  # type: ignore[arg-type]
