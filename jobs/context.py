"""What every job function is given and returns: the job's contract with the runner.

Its own module, below the runner and the registry, so job modules, the registry and
the runner (which reads the registry's ``delivers``) never import one another in a loop.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from bot.services import Services


@dataclass
class JobContext:
    """What a job function gets: the clock it must use, its session, and the services."""

    services: Services
    session: Session
    now: datetime
    dry_run: bool


JobFunction = Callable[[JobContext], dict[str, Any]]


JobFunction = Callable[[JobContext], dict[str, Any]]
