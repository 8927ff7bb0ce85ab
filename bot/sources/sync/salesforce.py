"""The Salesforce connector: SOQL through simple-salesforce, paged by ``nextRecordsUrl``.

Why simple-salesforce rather than dlt: we need exactly one thing from Salesforce — SOQL
pages in a stable order, fed to *our* importer one page per transaction with *our*
cursor. simple-salesforce (Apache-2.0) is a thin, well-known client for that
(``query`` / ``query_more(nextRecordsUrl, identifier_is_url=True)``), with SOAP login,
and it leaves paging, retries and state to us. dlt would bring its own pipeline
state, schema inference and destinations, i.e. a second write path and a second
cursor store beside ``sync_cursors``, which the issue rules out.

Incremental reads: every object is read with ``queryAll`` (so deleted records arrive
too, as ``IsDeleted = true``) in ``ORDER BY SystemModstamp, Id`` after the stored
cursor ``<SystemModstamp>|<Id>``, so each page ends at a point a new query continues
from exactly (``SystemModstamp > t OR (SystemModstamp = t AND Id > id)``). Only one
page of records is held at a time: memory stays flat at any size.

Faults: 429 (its Retry-After is honoured), ``REQUEST_LIMIT_EXCEEDED``, 5xx and
connection errors are retried with doubling back-off up to
``CSBOT_SALESFORCE_MAX_RETRIES``; an expired session (``INVALID_SESSION_ID``)
re-authenticates once with the username, password and security token (SOAP login),
when they are configured. What is given up on becomes a one-line ``SourceError``;
the engine keeps the cursor at the last committed page.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import requests
from simple_salesforce import Salesforce, SalesforceLogin
from simple_salesforce.exceptions import (
    SalesforceAuthenticationFailed,
    SalesforceError,
    SalesforceExpiredSession,
)

from bot.settings import Settings
from bot.sources.sync.mapping import ObjectMapping, SourceMapping, load_mapping, map_records
from bot.sources.sync.protocol import SourceError, SourceObject, SourcePage, SyncCursor

logger = logging.getLogger(__name__)

NAME = "salesforce"
MAX_WAIT_SECONDS = 60.0
TIMEOUT = (10.0, 120.0)  # connect, read: a hung connection is a retried fault, not a hang
_RETRYABLE_CODES = {"REQUEST_LIMIT_EXCEEDED", "SERVER_UNAVAILABLE", "UNABLE_TO_LOCK_ROW"}


def configured(settings: Settings) -> bool:
    return settings.salesforce_configured


def build(
    settings: Settings, *, sleep: Callable[[float], None] = time.sleep
) -> SalesforceConnector:
    """The connector for ``settings`` (credentials, API version, mapping, retry policy)."""
    if not settings.salesforce_configured:
        raise SourceError(
            "salesforce: not configured (set CSBOT_SALESFORCE_INSTANCE_URL and "
            "CSBOT_SALESFORCE_ACCESS_TOKEN, or CSBOT_SALESFORCE_USERNAME, _PASSWORD and "
            "_SECURITY_TOKEN)"
        )
    return SalesforceConnector(settings, load_mapping(NAME, settings.sync_mapping_dir), sleep=sleep)


def soql_datetime(stamp: str) -> str:
    """``2026-01-05T10:00:00.000+0000`` → ``2026-01-05T10:00:00.000Z`` (a SOQL literal)."""
    text = stamp.strip()
    for suffix in ("+0000", "+00:00", "Z"):
        if text.endswith(suffix):
            return text[: -len(suffix)] + "Z"
    return text


def _quoted(value: str) -> str:
    """A SOQL string literal (ids come from Salesforce, but quote them properly anyway)."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def build_soql(mapping: ObjectMapping, cursor: SyncCursor) -> str:
    fields = [f for f in mapping.source_fields() if f not in ("SystemModstamp", "IsDeleted")]
    select = ", ".join([*fields, "SystemModstamp", "IsDeleted"])
    conditions: list[str] = []
    if cursor.value:
        stamp, _, last_id = cursor.value.partition("|")
        literal = soql_datetime(stamp)
        same_time = f"(SystemModstamp = {literal} AND Id > {_quoted(last_id)})"
        conditions.append(f"(SystemModstamp > {literal} OR {same_time})")
    if mapping.where:
        conditions.append(f"({mapping.where})")
    where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
    return f"SELECT {select} FROM {mapping.source_object}{where} ORDER BY SystemModstamp, Id"


class SalesforceConnector:
    """Reads the objects of a Salesforce mapping; see the module docstring."""

    name = NAME

    def __init__(
        self,
        settings: Settings,
        mapping: SourceMapping,
        *,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings
        self.mapping = mapping
        self.sleep = sleep
        self._session = requests.Session()
        self._last_headers: Mapping[str, str] = {}
        self._session.hooks["response"].append(self._remember_headers)
        self._client: Salesforce | None = None
        self._reauthenticated = False

    # -- protocol ---------------------------------------------------------------------
    def objects(self) -> Sequence[SourceObject]:
        return [SourceObject(name, m.table) for name, m in self.mapping.objects.items()]

    def read(
        self, object_name: str, cursor: SyncCursor, *, full: bool = False
    ) -> Iterator[SourcePage]:
        mapping = self.mapping.object(object_name)
        start = SyncCursor(None) if full else cursor
        soql = build_soql(mapping, start)
        headers = {"Sforce-Query-Options": f"batchSize={self.settings.salesforce_page_size}"}
        where = f"salesforce {object_name}"
        result = self._call(
            where, lambda c: c.query(soql, include_deleted=True, headers=headers, timeout=TIMEOUT)
        )
        position = start
        while True:
            records: list[dict[str, Any]] = result.get("records") or []
            live = [r for r in records if not r.get("IsDeleted")]
            deleted = [str(r.get("Id")) for r in records if r.get("IsDeleted")]
            if records:
                last = records[-1]
                position = SyncCursor(f"{last.get('SystemModstamp')}|{last.get('Id')}")
            rows, ids, skipped = map_records(mapping, live)
            if records:
                yield SourcePage(
                    table=mapping.table,
                    rows=rows,
                    source_ids=ids,
                    cursor=position,
                    fields=mapping.fields,
                    deleted_ids=deleted,
                    skipped=skipped,
                    owner_column=mapping.owner.column if mapping.owner else None,
                )
            next_url = result.get("nextRecordsUrl")
            if result.get("done", True) or not next_url:
                return
            result = self._call(
                where,
                lambda c, url=next_url: c.query_more(
                    url, identifier_is_url=True, headers=headers, timeout=TIMEOUT
                ),
            )

    # -- client, retries, re-authentication ---------------------------------------------
    def _remember_headers(self, response: requests.Response, *_: Any, **__: Any) -> None:
        self._last_headers = response.headers

    def _can_login(self) -> bool:
        s = self.settings
        return bool(s.salesforce_username and s.salesforce_password and s.salesforce_security_token)

    def _login(self) -> Salesforce:
        s = self.settings
        assert s.salesforce_password is not None and s.salesforce_security_token is not None
        session_id, instance = SalesforceLogin(
            username=s.salesforce_username,
            password=s.salesforce_password.get_secret_value(),
            security_token=s.salesforce_security_token.get_secret_value(),
            sf_version=s.salesforce_api_version,
            session=self._session,
            scratch_url=s.salesforce_login_url,
        )
        logger.info("salesforce login", extra={"instance": instance})
        return Salesforce(
            instance=instance,
            session_id=session_id,
            version=s.salesforce_api_version,
            session=self._session,
            object_pairs_hook=None,  # plain dicts, decoded on json's C fast path
        )

    def _client_for(self) -> Salesforce:
        if self._client is None:
            s = self.settings
            if s.salesforce_access_token is not None and s.salesforce_instance_url:
                self._client = Salesforce(
                    instance_url=s.salesforce_instance_url,
                    session_id=s.salesforce_access_token.get_secret_value(),
                    version=s.salesforce_api_version,
                    session=self._session,
                    object_pairs_hook=None,  # plain dicts, decoded on json's C fast path
                )
            else:
                self._client = self._authenticate("salesforce")
        return self._client

    def _authenticate(self, where: str) -> Salesforce:
        try:
            return self._login()
        except SalesforceAuthenticationFailed as exc:
            raise SourceError(f"{where}: login refused ({exc.code})") from None
        except requests.RequestException as exc:
            raise SourceError(f"{where}: login failed ({type(exc).__name__})") from None

    def _call(self, where: str, request: Callable[[Salesforce], Any]) -> Any:
        attempt = 0
        while True:
            try:
                return request(self._client_for())
            except SalesforceExpiredSession:
                if self._reauthenticated or not self._can_login():
                    raise SourceError(
                        f"{where}: the session expired (INVALID_SESSION_ID) and "
                        + (
                            "re-authenticating once did not help"
                            if self._reauthenticated
                            else "no username/password/security token is configured to renew it"
                        )
                    ) from None
                self._reauthenticated = True
                logger.info("salesforce session expired; logging in again", extra={"where": where})
                self._client = self._authenticate(where)
                continue
            except SalesforceError as exc:
                code = _error_code(exc)
                retryable = exc.status == 429 or exc.status >= 500 or code in _RETRYABLE_CODES
                if not retryable or attempt >= self.settings.salesforce_max_retries:
                    raise SourceError(_describe(where, exc, code, attempt)) from None
                wait = self._wait(attempt)
            except (requests.ConnectionError, requests.Timeout) as exc:
                if attempt >= self.settings.salesforce_max_retries:
                    raise SourceError(
                        f"{where}: Salesforce unreachable ({type(exc).__name__}) after "
                        f"{attempt + 1} attempt(s)"
                    ) from None
                wait = self._wait(attempt, use_header=False)
            attempt += 1
            logger.warning(
                "salesforce request retried",
                extra={"where": where, "attempt": attempt, "wait": wait},
            )
            self.sleep(wait)

    def _wait(self, attempt: int, *, use_header: bool = True) -> float:
        backoff = min(self.settings.salesforce_retry_seconds * (2**attempt), MAX_WAIT_SECONDS)
        header = self._last_headers.get("Retry-After") if use_header else None
        if header is not None:
            try:
                return min(max(float(header), 0.0), MAX_WAIT_SECONDS)
            except ValueError:
                pass
        return backoff


def _error_code(exc: SalesforceError) -> str | None:
    content = exc.content
    if isinstance(content, list) and content and isinstance(content[0], Mapping):
        code = content[0].get("errorCode")
        return str(code) if code else None
    return None


def _describe(where: str, exc: SalesforceError, code: str | None, attempt: int) -> str:
    """One line: HTTP status, Salesforce's error code and message (never record values)."""
    message = ""
    content = exc.content
    if isinstance(content, list) and content and isinstance(content[0], Mapping):
        message = str(content[0].get("message") or "")[:160]
    tries = f" after {attempt + 1} attempt(s)" if attempt else ""
    label = f"{exc.status} {code or 'HTTP error'}" + (f": {message}" if message else "")
    return f"{where}: Salesforce refused the request ({label}){tries}"
