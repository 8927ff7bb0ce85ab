"""The health config in force and the scoring day: what every health use case starts from."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from scoring.config import HealthConfig, load_health_config

if TYPE_CHECKING:
    from bot.services import Services


def health_config(services: Services) -> HealthConfig:
    """The health config in force: CSBOT_HEALTH_CONFIG (or applied weights), else packaged.

    Raises:
        ConfigurationError: the file became unreadable or invalid since start-up.
    """
    from bot.errors import ConfigurationError
    from scoring.config import HealthConfigError

    path = services.settings.health_config_path
    try:
        return load_health_config(path)
    except HealthConfigError as exc:
        raise ConfigurationError(f"CSBOT_HEALTH_CONFIG: {exc}") from None


def today_for(services: Services) -> date:
    return datetime.now(services.settings.tz).date()
