"""Typed settings for csbot: the only module that reads the environment.

Every knob lives here so a deployment is described by its environment (and an
optional ``.env`` file) alone. Secrets are ``SecretStr`` so they never show up in
logs or reprs. A missing or malformed value fails at start-up with one line that
names the variable (see :func:`load_settings`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AliasChoices,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict, SettingsError

from bot.errors import ConfigurationError
from bot.staleness import StalenessRule, parse_source_hours

DEFAULT_DATA_DIR = Path("var")


class Settings(BaseSettings):
    """All runtime configuration, read once at start-up and passed down."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_ignore_empty=True,
        extra="ignore",
        frozen=True,
        populate_by_name=True,
    )

    # --- storage -----------------------------------------------------------------
    data_dir: Path = Field(DEFAULT_DATA_DIR, validation_alias="CSBOT_DATA_DIR")
    database_url: str | None = Field(None, validation_alias="CSBOT_DATABASE_URL")
    chroma_url: str | None = Field(None, validation_alias="CSBOT_CHROMA_URL")
    playbooks_dir: Path | None = Field(None, validation_alias="CSBOT_PLAYBOOKS_DIR")
    stale_after_hours: float = Field(48.0, gt=0, validation_alias="CSBOT_STALE_AFTER_HOURS")
    """Expected hours between loads of a frequently loaded source (usage, accounts, tickets)."""
    stale_after_hours_by_source: Annotated[dict[str, float], NoDecode] = Field(
        default_factory=dict, validation_alias="CSBOT_STALE_AFTER_HOURS_BY_SOURCE"
    )
    """Per-source expected hours between loads (``nps=720,invoices=720``); NPS and
    invoices default to 720 h (30 days), see ``bot.staleness``."""
    embedder: Literal["minilm", "hashing"] = Field("minilm", validation_alias="CSBOT_EMBEDDER")
    """``minilm``: the bundled sentence model (production). ``hashing``: a model-free word
    hashing embedder for offline development and the end-to-end tests, which must not
    pay MiniLM's load time; themes and sentiment are coarser with it."""

    # --- Slack ---------------------------------------------------------------------
    slack_bot_token: SecretStr | None = Field(None, validation_alias="SLACK_BOT_TOKEN")
    slack_app_token: SecretStr | None = Field(None, validation_alias="SLACK_APP_TOKEN")
    slack_signing_secret: SecretStr | None = Field(None, validation_alias="SLACK_SIGNING_SECRET")
    slack_api_url: str = Field("https://slack.com/api/", validation_alias="SLACK_API_URL")
    slack_max_body_bytes: int = Field(
        1024 * 1024, ge=4096, validation_alias="CSBOT_SLACK_MAX_BODY_BYTES"
    )
    """HTTP mode: larger request bodies get 413 unread (Slack's payloads are tens of KB)."""
    allowed_channels: Annotated[list[str], NoDecode] = Field(
        default_factory=list, validation_alias="CSBOT_ALLOWED_CHANNELS"
    )
    visibility: Literal["all", "own"] = Field("all", validation_alias="CSBOT_VISIBILITY")
    ephemeral_in_channels: bool = Field(True, validation_alias="CSBOT_EPHEMERAL_IN_CHANNELS")

    # --- channel routing -----------------------------------------------------------
    alerts_channel: str | None = Field(None, validation_alias="CSBOT_ALERTS_CHANNEL")
    escalations_channel: str | None = Field(None, validation_alias="CSBOT_ESCALATIONS_CHANNEL")
    digest_channel: str | None = Field(None, validation_alias="CSBOT_DIGEST_CHANNEL")
    cta_channels: Annotated[dict[str, str], NoDecode] = Field(
        default_factory=dict, validation_alias="CSBOT_CTA_CHANNELS"
    )

    # --- LLM -------------------------------------------------------------------------
    openai_api_key: SecretStr | None = Field(None, validation_alias="OPENAI_API_KEY")
    openai_base_url: str | None = Field(None, validation_alias="OPENAI_BASE_URL")
    llm_model: str = Field("gpt-4o-mini", validation_alias="CSBOT_LLM_MODEL")
    llm_timeout_seconds: float = Field(30.0, gt=0, validation_alias="CSBOT_LLM_TIMEOUT")
    llm_max_retries: int = Field(2, ge=0, le=10, validation_alias="CSBOT_LLM_MAX_RETRIES")
    llm_prompt_token_budget: int = Field(
        3000, ge=200, validation_alias="CSBOT_LLM_PROMPT_TOKEN_BUDGET"
    )
    redact_pii: bool = Field(True, validation_alias="CSBOT_REDACT_PII")
    redact_contact_names: Literal["all", "except-own", "off"] = Field(
        "all", validation_alias="CSBOT_REDACT_CONTACT_NAMES"
    )
    """Contact names before the LLM (with ``CSBOT_REDACT_PII``): ``all`` replaced,
    ``except-own`` kept for contacts of the asker's own accounts, ``off`` never."""
    tiktoken_cache_dir: Path | None = Field(
        None, validation_alias=AliasChoices("TIKTOKEN_CACHE_DIR", "DATA_GYM_CACHE_DIR")
    )

    # --- HubSpot (sync connector and writeback) ------------------------------------
    hubspot_token: SecretStr | None = Field(None, validation_alias="CSBOT_HUBSPOT_TOKEN")
    """A HubSpot private-app token (scopes: crm.objects.companies/contacts/deals read,
    companies write for writeback, crm.objects.owners.read)."""
    hubspot_base_url: str = Field(
        "https://api.hubapi.com", validation_alias="CSBOT_HUBSPOT_BASE_URL"
    )

    # --- Intercom (sync connector) -----------------------------------------------
    intercom_token: SecretStr | None = Field(None, validation_alias="CSBOT_INTERCOM_TOKEN")
    """An Intercom access token (read companies, contacts and conversations)."""
    intercom_base_url: str = Field(
        "https://api.intercom.io", validation_alias="CSBOT_INTERCOM_BASE_URL"
    )
    # --- Zendesk Support (sync connector) -------------------------------------------
    zendesk_subdomain: str | None = Field(None, validation_alias="CSBOT_ZENDESK_SUBDOMAIN")
    zendesk_email: str | None = Field(None, validation_alias="CSBOT_ZENDESK_EMAIL")
    """The agent whose API token is used (Basic ``email/token:TOKEN``)."""
    zendesk_api_token: SecretStr | None = Field(None, validation_alias="CSBOT_ZENDESK_API_TOKEN")
    zendesk_oauth_token: SecretStr | None = Field(
        None, validation_alias="CSBOT_ZENDESK_OAUTH_TOKEN"
    )
    """An OAuth access token (``read`` scope); used instead of the API token when set."""
    zendesk_base_url: str | None = Field(None, validation_alias="CSBOT_ZENDESK_BASE_URL")
    """Default ``https://{subdomain}.zendesk.com``; a proxy, or the local fake in tests."""
    # --- webhooks (bot/sources/webhooks): an endpoint answers 404 while its secret is unset
    stripe_webhook_secret: SecretStr | None = Field(
        None, validation_alias="CSBOT_STRIPE_WEBHOOK_SECRET"
    )
    zendesk_webhook_secret: SecretStr | None = Field(
        None, validation_alias="CSBOT_ZENDESK_WEBHOOK_SECRET"
    )
    intercom_client_secret: SecretStr | None = Field(
        None, validation_alias="CSBOT_INTERCOM_CLIENT_SECRET"
    )
    webhook_max_body_bytes: int = Field(
        1024 * 1024, ge=4096, validation_alias="CSBOT_WEBHOOK_MAX_BODY_BYTES"
    )
    """Larger webhook bodies get 413 unread (one ticket or invoice event is a few KB)."""
    # --- Stripe (billing sync) --------------------------------------------------------
    stripe_api_key: SecretStr | None = Field(None, validation_alias="CSBOT_STRIPE_API_KEY")
    """A Stripe secret or restricted key with read access to customers, subscriptions,
    invoices and events; enables `csbot sync run stripe` and its scheduled sync."""
    stripe_base_url: str = Field("https://api.stripe.com", validation_alias="CSBOT_STRIPE_BASE_URL")
    # --- product usage from a warehouse (bot/sources/warehouse) -------------------------
    usage_sql_url: SecretStr | None = Field(None, validation_alias="CSBOT_USAGE_SQL_URL")
    """Any SQLAlchemy URL of the warehouse holding product usage (``postgresql+psycopg://``,
    ``duckdb:///path``, ``snowflake://``, ``bigquery://``); enables `csbot sync run warehouse`.
    Secret: it usually carries a password."""
    usage_sql_file: Path | None = Field(None, validation_alias="CSBOT_USAGE_SQL_FILE")
    """The team's SQL file returning ``usage_daily`` rows (see
    bot/sources/warehouse/usage_daily.example.sql)."""
    usage_sql_lookback_days: int = Field(
        3, ge=0, le=90, validation_alias="CSBOT_USAGE_SQL_LOOKBACK_DAYS"
    )
    """Days before the cursor re-read each run, so late events re-aggregate their day."""
    usage_sql_page_rows: int = Field(
        10_000, ge=100, le=100_000, validation_alias="CSBOT_USAGE_SQL_PAGE_ROWS"
    )
    """Rows per page (one transaction with its cursor). The importer spends ~25 ms per
    page whatever its size: at 5,000 rows that was a third of a 0.9 M-row first load."""
    # --- product usage from event exports (bot/sources/events) -------------------------
    events_path: str | None = Field(None, validation_alias="CSBOT_EVENTS_PATH")
    """A folder or fsspec URL (file://, memory://, s3:// with s3fs) of Segment, Amplitude
    or Mixpanel JSON-lines exports; enables `csbot sync run events`."""
    events_lines_per_pass: int = Field(
        1_000_000, ge=1, validation_alias="CSBOT_EVENTS_LINES_PER_PASS"
    )
    """Days are re-aggregated in groups of about this many lines: memory bounds, not totals."""

    # --- time and scheduling ------------------------------------------------------
    timezone: str = Field("UTC", validation_alias="CSBOT_TIMEZONE")
    locale: str = Field("en_US", validation_alias="CSBOT_LOCALE")
    digest_time: str = Field("08:30", validation_alias="CSBOT_DIGEST_TIME")
    score_time: str = Field("06:00", validation_alias="CSBOT_SCORE_TIME")
    quiet_hours: str | None = Field("20:00-08:00", validation_alias="CSBOT_QUIET_HOURS")
    csm_daily_alert_budget: int = Field(5, ge=1, validation_alias="CSBOT_CSM_DAILY_ALERT_BUDGET")
    cta_rules_file: Path | None = Field(None, validation_alias="CSBOT_CTA_RULES")
    health_config_file: Path | None = Field(None, validation_alias="CSBOT_HEALTH_CONFIG")
    """A team's own health configuration (a copy of scoring/config/health_v2.yaml with its
    weights, bounds and bands, under a version name of its own)."""

    # --- CRM sync (bot/sources/sync) ----------------------------------------------------
    sync_mapping_dir: Path | None = Field(None, validation_alias="CSBOT_SYNC_MAPPING_DIR")
    """A folder of a team's own mapping files (``salesforce.yaml``…); else the shipped ones."""
    sync_schedule: Annotated[dict[str, int], NoDecode] = Field(
        default_factory=dict, validation_alias="CSBOT_SYNC_SCHEDULE"
    )
    """Minutes between scheduled syncs per source (``salesforce=60,hubspot=30``); 60 when unset."""
    salesforce_instance_url: str | None = Field(
        None, validation_alias="CSBOT_SALESFORCE_INSTANCE_URL"
    )
    salesforce_access_token: SecretStr | None = Field(
        None, validation_alias="CSBOT_SALESFORCE_ACCESS_TOKEN"
    )
    salesforce_username: str | None = Field(None, validation_alias="CSBOT_SALESFORCE_USERNAME")
    salesforce_password: SecretStr | None = Field(
        None, validation_alias="CSBOT_SALESFORCE_PASSWORD"
    )
    salesforce_security_token: SecretStr | None = Field(
        None, validation_alias="CSBOT_SALESFORCE_SECURITY_TOKEN"
    )
    salesforce_domain: str = Field("login", validation_alias="CSBOT_SALESFORCE_DOMAIN")
    """``login``, ``test`` (sandbox), a My Domain name, or a full ``https://…`` login URL."""
    salesforce_api_version: str = Field("62.0", validation_alias="CSBOT_SALESFORCE_API_VERSION")
    salesforce_page_size: int = Field(
        2000, ge=200, le=2000, validation_alias="CSBOT_SALESFORCE_PAGE_SIZE"
    )
    salesforce_max_retries: int = Field(
        5, ge=0, le=20, validation_alias="CSBOT_SALESFORCE_MAX_RETRIES"
    )
    salesforce_retry_seconds: float = Field(
        1.0, ge=0, validation_alias="CSBOT_SALESFORCE_RETRY_SECONDS"
    )
    """First back-off wait (doubled per retry, capped at 60 s; a Retry-After header wins)."""

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        "INFO", validation_alias=AliasChoices("CSBOT_LOG_LEVEL", "LOG_LEVEL")
    )
    log_json: bool = Field(False, validation_alias="CSBOT_LOG_JSON")

    @field_validator("health_config_file")
    @classmethod
    def _health_config_valid(cls, value: Path | None) -> Path | None:
        """Read and validate the file at start-up, so a typo fails now, not as odd scores."""
        if value is not None:
            from scoring.config import HealthConfigError, load_health_config

            try:
                load_health_config(value)
            except HealthConfigError as exc:
                raise ValueError(str(exc)) from None
        return value

    @field_validator("slack_bot_token")
    @classmethod
    def _bot_token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xoxb-"):
            raise ValueError("a bot token starts with xoxb-")
        return value

    @field_validator("slack_app_token")
    @classmethod
    def _app_token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xapp-"):
            raise ValueError("an app-level token starts with xapp-")
        return value

    @model_validator(mode="after")
    def _app_token_needs_bot_token(self) -> Settings:
        if self.slack_app_token is not None and self.slack_bot_token is None:
            raise ValueError("SLACK_BOT_TOKEN is required when SLACK_APP_TOKEN is set")
        return self

    @field_validator("allowed_channels", mode="before")
    @classmethod
    def _split_channels(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("cta_channels", mode="before")
    @classmethod
    def _parse_mapping(cls, value: object) -> object:
        """Accept JSON (``{"risk": "C1"}``) or ``risk=C1,renewal=C2``."""
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("{"):
                return json.loads(text)
            pairs = [item.split("=", 1) for item in text.split(",") if item.strip()]
            if any(len(pair) != 2 for pair in pairs):
                raise ValueError("expected TYPE=CHANNEL pairs separated by commas")
            return {key.strip(): channel.strip() for key, channel in pairs}
        return value

    @field_validator("stale_after_hours_by_source", mode="before")
    @classmethod
    def _parse_source_hours(cls, value: object) -> object:
        """``SOURCE=HOURS`` pairs; an unknown source or a bad number fails at start-up."""
        if isinstance(value, str):
            return parse_source_hours(value)
        return value

    @field_validator("sync_schedule", mode="before")
    @classmethod
    def _parse_sync_schedule(cls, value: object) -> object:
        """``SOURCE=MINUTES`` pairs; a bad pair fails at start-up naming this variable."""
        if isinstance(value, str):
            schedule: dict[str, int] = {}
            for item in value.split(","):
                if not item.strip():
                    continue
                name, sep, minutes = item.partition("=")
                if not sep or not minutes.strip().isdigit() or int(minutes) < 5:
                    raise ValueError(f"expected SOURCE=MINUTES (at least 5), got {item.strip()!r}")
                schedule[name.strip().lower()] = int(minutes)
            return schedule
        return value

    @field_validator("salesforce_api_version")
    @classmethod
    def _api_version(cls, value: str) -> str:
        text = value.strip().lower().removeprefix("v")
        if not text.replace(".", "", 1).isdigit():
            raise ValueError(f"expected a version like 62.0, got {value!r}")
        return text if "." in text else f"{text}.0"

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("locale")
    @classmethod
    def _known_locale(cls, value: str) -> str:
        from bot.money import parse_locale

        return str(parse_locale(value))

    @field_validator("digest_time", "score_time")
    @classmethod
    def _clock_time(cls, value: str) -> str:
        _parse_clock(value)
        return value

    @field_validator("quiet_hours")
    @classmethod
    def _quiet_window(cls, value: str | None) -> str | None:
        if value is None or value.strip().lower() in {"", "off", "none"}:
            return None
        start, sep, end = value.partition("-")
        if not sep:
            raise ValueError("expected HH:MM-HH:MM")
        _parse_clock(start)
        _parse_clock(end)
        return value

    @field_validator(
        "slack_api_url",
        "openai_base_url",
        "salesforce_instance_url",
        "hubspot_base_url",
        "intercom_base_url",
        "zendesk_base_url",
        "stripe_base_url",
    )
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None:
            return value
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value

    # --- derived -------------------------------------------------------------------
    @property
    def resolved_database_url(self) -> str:
        """The SQLAlchemy URL; SQLite under the data folder unless configured."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'csbot.db').as_posix()}"

    @property
    def chroma_path(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def models_dir(self) -> Path:
        return self.data_dir / "models"

    @property
    def health_config_path(self) -> Path | None:
        """CSBOT_HEALTH_CONFIG, else the file ``csbot model apply-weights`` wrote (if any)."""
        if self.health_config_file is not None:
            return self.health_config_file
        applied = self.data_dir / "health_config.yaml"
        return applied if applied.is_file() else None

    @property
    def staleness(self) -> StalenessRule:
        """When each source counts as stale (the one rule answers, status and alerts use)."""
        return StalenessRule(self.stale_after_hours, dict(self.stale_after_hours_by_source))

    @property
    def salesforce_login_url(self) -> str:
        """Where a username/password login goes (SOAP ``/services/Soap/u/…``)."""
        domain = self.salesforce_domain.strip().rstrip("/")
        if domain.startswith(("http://", "https://")):
            return domain
        return f"https://{domain}.salesforce.com"

    @property
    def salesforce_configured(self) -> bool:
        """A token with its instance URL, or a username with password and security token."""
        token = self.salesforce_access_token is not None and bool(self.salesforce_instance_url)
        login = (
            self.salesforce_username is not None
            and self.salesforce_password is not None
            and self.salesforce_security_token is not None
        )
        return token or login

    def sync_every_minutes(self, source: str) -> int:
        return int(self.sync_schedule.get(source, 60))

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def slack_enabled(self) -> bool:
        return self.slack_bot_token is not None

    @property
    def socket_mode_enabled(self) -> bool:
        return self.slack_bot_token is not None and self.slack_app_token is not None

    @property
    def llm_enabled(self) -> bool:
        return self.openai_api_key is not None or self.openai_base_url is not None


def _parse_clock(value: str) -> tuple[int, int]:
    hour_text, sep, minute_text = value.strip().partition(":")
    if not sep or not hour_text.isdigit() or not minute_text.isdigit():
        raise ValueError(f"expected HH:MM, got {value!r}")
    hour, minute = int(hour_text), int(minute_text)
    if not (0 <= hour < 24 and 0 <= minute < 60):
        raise ValueError(f"expected HH:MM, got {value!r}")
    return hour, minute


def parse_clock(value: str) -> tuple[int, int]:
    """Parse ``HH:MM`` into (hour, minute); shared by the scheduler and quiet hours."""
    return _parse_clock(value)


def load_settings(**overrides: object) -> Settings:
    """Read settings once; turn validation errors into one clear line per variable.

    Raises:
        ConfigurationError: naming the environment variable and what is wrong with it.
    """
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            location = ".".join(str(part) for part in error["loc"])
            message = str(error["msg"]).removeprefix("Value error, ")
            lines.append(f"{location.upper()}: {message}" if location else message)
        raise ConfigurationError("invalid configuration: " + "; ".join(lines)) from None
    except SettingsError as exc:
        raise ConfigurationError(f"invalid configuration: {exc}") from None
