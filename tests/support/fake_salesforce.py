"""FakeSalesforce: a local Salesforce REST API (HTTPS) the real simple-salesforce client talks to.

Salesforce is faked only at the HTTP boundary. Response bodies take the *recorded
shapes* in ``../shared/datasets/api-fixtures/salesforce/`` (read from there at start,
never copied into the repository; see that folder's PROVENANCE.md): the query page
keys (``totalSize``, ``done``, ``nextRecordsUrl``, ``records``), each record's
``attributes``, lookups as nested objects (``Owner: {attributes, Email}``), the
``+0000`` date-time format, and the error bodies (``INVALID_SESSION_ID``,
``INVALID_FIELD``). The SOAP login answer is the one thing not recorded there; it
carries only the two elements simple-salesforce reads (``sessionId``, ``serverUrl``).

What it serves (``routes``; add more with ``add_route``, e.g. composite writes):

* ``GET /services/data/vXX/query`` and ``/queryAll`` with SOQL of the shape
  ``SELECT f, Rel.f FROM Obj [WHERE …] ORDER BY SystemModstamp, Id``: the WHERE
  understands (by bisection of the SystemModstamp, Id order) the cursor condition ``(SystemModstamp > t OR (SystemModstamp = t AND
  Id > 'x'))`` and ``Field = value`` conjunctions; pages of ``batchSize``
  (``Sforce-Query-Options``) chained by ``nextRecordsUrl``; ``queryAll`` includes
  deleted records (``IsDeleted: true``).
* ``POST /services/Soap/u/XX`` (username/password login → a new session id).

Data: ``generate(accounts=…, contacts=…)`` makes thousands of records in those
shapes; ``touch`` changes a record (a later SystemModstamp), ``delete`` moves it to
the recycle bin. Faults: ``fail(kind, status, …)`` (429 + Retry-After, 403
REQUEST_LIMIT_EXCEEDED, 500 mid-paging, after N requests), ``expire_sessions()``,
``hold(kind, after=N)`` (block a request until released: a kill -9 lands between
pages).
"""

from __future__ import annotations

import bisect
import json
import re
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.support.tls import local_tls

FIXTURES_DIR = (
    Path(__file__).resolve().parents[3] / "shared" / "datasets" / "api-fixtures" / "salesforce"
)
BASE_TIME = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
RELATION_TARGETS = {"Owner": "User", "CSM__r": "User", "Account": "Account", "Parent": "Account"}

Handler = Callable[["FakeSalesforce", "Request"], "Response"]


def sf_datetime(moment: datetime) -> str:
    """Salesforce's wire format, as recorded: ``2011-07-07T00:37:00.000+0000``."""
    return (
        moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.")
        + f"{moment.microsecond // 1000:03d}+0000"
    )


def parse_sf_datetime(text: str) -> datetime:
    text = text.strip().replace("Z", "+00:00")
    if re.search(r"[+-]\d{4}$", text):
        text = text[:-2] + ":" + text[-2:]
    return datetime.fromisoformat(text)


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    match: re.Match[str] | None = None


@dataclass
class Response:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"


@dataclass
class Fault:
    kind: str  # "query", "query_more", "login", "any"
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    times: int = 1
    after: int = 0
    expire: bool = False


class SalesforceApiError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.response = Response(status, [{"message": message, "errorCode": code}])


class FakeSalesforce:
    """See the module docstring. Use as a context manager or ``start()``/``stop()``."""

    def __init__(
        self,
        tls_dir: Path,
        *,
        api_version: str = "62.0",
        username: str = "csm-ops@example.com",
        password: str = "pw",
        security_token: str = "tok",
    ) -> None:
        self.api_version = api_version
        self.username, self.password, self.security_token = username, password, security_token
        self.fixtures = {p.stem: json.loads(p.read_text()) for p in FIXTURES_DIR.glob("*.json")}
        self.ssl_context, self.ca_path = local_tls(tls_dir)
        self.tokens: set[str] = {"00Dfake!initial-token"}
        self.records: dict[str, dict[str, dict[str, Any]]] = {
            name: {} for name in ("User", "Account", "Contact", "Opportunity", "Contract")
        }
        self._order: dict[str, list[tuple[datetime, str]] | None] = {}
        self._locators: dict[str, tuple[list[dict[str, Any]], list[str], int]] = {}
        self.faults: list[Fault] = []
        self.counts: dict[str, int] = {}
        self.log: list[tuple[str, str]] = []
        self._holds: dict[str, tuple[int, threading.Event, threading.Event]] = {}
        self._lock = threading.RLock()
        self._clock = BASE_TIME + timedelta(days=1)
        self.routes: list[tuple[str, re.Pattern[str], Handler]] = []
        self.add_route("GET", r"/services/data/v[\d.]+/(query|queryAll)/?", FakeSalesforce._query)
        self.add_route(
            "GET",
            r"/services/data/v[\d.]+/(query|queryAll)/(?P<locator>[\w-]+)",
            FakeSalesforce._more,
        )
        self.add_route("POST", r"/services/Soap/u/[\d.]+", FakeSalesforce._soap_login)
        self._server: ThreadingHTTPServer | None = None

    # -- lifecycle ------------------------------------------------------------------------
    @property
    def token(self) -> str:
        return next(iter(sorted(self.tokens)))

    @property
    def instance_url(self) -> str:
        assert self._server is not None
        return f"https://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> FakeSalesforce:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_class(self))
        server.socket = self.ssl_context.wrap_socket(server.socket, server_side=True)
        server.daemon_threads = True
        self._server = server
        threading.Thread(target=server.serve_forever, name="fake-salesforce", daemon=True).start()
        return self

    def stop(self) -> None:
        for _, released, _ in self._holds.values():
            released.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeSalesforce:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    def add_route(self, method: str, pattern: str, handler: Handler) -> None:
        """Serve ``method`` on paths matching ``pattern`` (full match) with ``handler(fake, request)``."""
        self.routes.append((method, re.compile(pattern), handler))

    # -- data ---------------------------------------------------------------------------
    def _attributes(self, sobject: str, record_id: str) -> dict[str, str]:
        shape = self.fixtures["query_success_response"]["records"][0]["attributes"]
        url = shape["url"].rsplit("/sobjects/", 1)[0].replace("v20.0", f"v{self.api_version}")
        return {"type": sobject, "url": f"{url}/sobjects/{sobject}/{record_id}"}

    def put(
        self, sobject: str, record: dict[str, Any], *, at: datetime | None = None
    ) -> dict[str, Any]:
        with self._lock:
            stamp = at or self.tick()
            stored = {"IsDeleted": False, **record, "SystemModstamp": sf_datetime(stamp)}
            stored["_stamp"], stored["_type"] = stamp, sobject
            self.records.setdefault(sobject, {})[stored["Id"]] = stored
            self._order[sobject] = None
            return stored

    def tick(self) -> datetime:
        self._clock += timedelta(seconds=1)
        return self._clock

    def touch(self, sobject: str, record_id: str, **changes: Any) -> None:
        with self._lock:
            record = self.records[sobject][record_id]
            record.update(changes)
            stamp = self.tick()
            record["SystemModstamp"], record["_stamp"] = sf_datetime(stamp), stamp
            self._order[sobject] = None

    def delete(self, sobject: str, record_id: str) -> None:
        self.touch(sobject, record_id, IsDeleted=True)

    def generate(
        self,
        *,
        users: int = 8,
        accounts: int = 100,
        contacts: int = 300,
        opportunities: int = 0,
        contracts: int = 0,
        same_stamp: int = 7,
    ) -> None:
        """Deterministic records; ``same_stamp`` records share each SystemModstamp (tie-breaks)."""

        def stamp(i: int) -> datetime:
            return BASE_TIME + timedelta(seconds=i // same_stamp)

        segments = ["Enterprise", "Mid-Market", "SMB"]
        with self._lock:
            for i in range(users):
                self.put(
                    "User",
                    {
                        "Id": f"005{i:012d}AAA",
                        "Name": f"CSM {i}",
                        "Email": f"csm{i}@example.com",
                        "Department": "CS",
                        "IsActive": True,
                    },
                    at=stamp(i),
                )
            for i in range(accounts):
                self.put(
                    "Account",
                    {
                        "Id": account_id(i),
                        "Name": f"Account {i:05d}",
                        "ParentId": None,
                        "Website": f"https://www.account{i}.example.com",
                        "Industry": "Software",
                        "ARR__c": float(10_000 + i * 10),
                        "NumberOfEmployees": 50 + i % 900,
                        "Segment__c": segments[i % 3],
                        "OwnerId": f"005{(i % max(users, 1)):012d}AAA",
                        "CSM__c": f"005{((i + 1) % max(users, 1)):012d}AAA" if i % 4 else None,
                        "AnnualRevenue": 1.0e7,
                    },
                    at=stamp(i),
                )
            for i in range(contacts):
                self.put(
                    "Contact",
                    {
                        "Id": contact_id(i),
                        "AccountId": account_id(i % max(accounts, 1)),
                        "Name": f"Contact {i}",
                        "Email": f"contact{i}@example.org",
                        "Title": "VP Operations" if i % 5 == 0 else "Admin",
                        "LastActivityDate": "2026-04-20",
                    },
                    at=stamp(i),
                )
            for i in range(opportunities):
                self.put(
                    "Opportunity",
                    {
                        "Id": f"006{i:012d}AAA",
                        "AccountId": account_id(i % max(accounts, 1)),
                        "Type": ["Renewal", "Upsell", "New Business"][i % 3],
                        "Amount": 5000.0 + i,
                        "StageName": "Closed Won" if i % 2 else "Negotiation",
                        "CloseDate": "2026-09-30",
                        "IsWon": bool(i % 2),
                    },
                    at=stamp(i),
                )
            for i in range(contracts):
                self.put(
                    "Contract",
                    {
                        "Id": f"800{i:012d}AAA",
                        "AccountId": account_id(i % max(accounts, 1)),
                        "StartDate": "2025-10-01",
                        "EndDate": "2026-09-30",
                        "ARR__c": 24000.0 + i,
                        "Status": "Activated",
                    },
                    at=stamp(i),
                )

    # -- faults ---------------------------------------------------------------------------
    def fail(
        self,
        kind: str,
        status: int,
        *,
        body: Any = None,
        headers: dict[str, str] | None = None,
        times: int = 1,
        after: int = 0,
    ) -> None:
        self.faults.append(Fault(kind, status, body, headers or {}, times, after))

    def rate_limit(
        self, kind: str = "query_more", *, retry_after: str = "7", after: int = 0
    ) -> None:
        self.fail(
            kind,
            429,
            body=[{"message": "Too many requests", "errorCode": "REQUEST_LIMIT_EXCEEDED"}],
            headers={"Retry-After": retry_after},
            after=after,
        )

    def request_limit_exceeded(
        self, kind: str = "query", *, times: int = 1, after: int = 0
    ) -> None:
        self.fail(
            kind,
            403,
            body=[
                {"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}
            ],
            times=times,
            after=after,
        )

    def expire_sessions(self, kind: str = "query_more", *, after: int = 0) -> None:
        """The next ``kind`` request (after ``after`` more) finds every session expired."""
        self.faults.append(
            Fault(kind, 401, self.fixtures["expired_session_response"], {}, 1, after, expire=True)
        )

    def hold(self, kind: str, *, after: int) -> tuple[threading.Event, threading.Event]:
        """Block the ``after+1``-th ``kind`` request: returns (reached, release)."""
        reached, release = threading.Event(), threading.Event()
        self._holds[kind] = (after, reached, release)
        return reached, release

    def _fault_for(self, kind: str) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.kind not in (kind, "any"):
                    continue
                if fault.after > 0:
                    fault.after -= 1
                    return None
                fault.times -= 1
                if fault.times <= 0:
                    self.faults.remove(fault)
                if fault.expire:
                    self.tokens.clear()
                return fault
        return None

    # -- handlers -------------------------------------------------------------------------
    def dispatch(self, request: Request) -> Response:
        path = request.path
        for method, pattern, handler in self.routes:
            match = pattern.fullmatch(path)
            if method == request.method and match:
                request.match = match
                kind = _kind(path)
                with self._lock:
                    self.counts[kind] = self.counts.get(kind, 0) + 1
                    self.log.append((request.method, path))
                    count = self.counts[kind]
                hold = self._holds.get(kind)
                if hold is not None and count == hold[0] + 1:
                    hold[1].set()
                    hold[2].wait(60)
                fault = self._fault_for(kind)
                if fault is not None:
                    return Response(fault.status, fault.body, fault.headers)
                if kind != "login" and not self._authorised(request):
                    return Response(401, self.fixtures["expired_session_response"])
                try:
                    return handler(self, request)
                except SalesforceApiError as exc:
                    return exc.response
        return Response(
            404, [{"message": "The requested resource does not exist", "errorCode": "NOT_FOUND"}]
        )

    def _authorised(self, request: Request) -> bool:
        header = request.headers.get("authorization", "")
        return header.startswith("Bearer ") and header[7:] in self.tokens

    def _query(self, request: Request) -> Response:
        soql = (request.query.get("q") or [""])[0]
        include_deleted = "/queryAll" in request.path
        fields, records = self._run_soql(soql, include_deleted)
        size = _batch_size(request.headers.get("sforce-query-options", ""))
        locator = "01g" + uuid.uuid4().hex[:15]
        with self._lock:
            self._locators[locator] = (records, fields, size)
        return self._page(locator, 0, request.path)

    def _more(self, request: Request) -> Response:
        assert request.match is not None
        locator, _, offset = request.match.group("locator").rpartition("-")
        if locator not in self._locators or not offset.isdigit():
            raise SalesforceApiError(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
        return self._page(locator, int(offset), request.path)

    def _page(self, locator: str, offset: int, path: str) -> Response:
        records, fields, size = self._locators[locator]
        chunk = records[offset : offset + size]
        end = offset + len(chunk)
        template = self.fixtures["query_paginated_first_page_response"]
        body: dict[str, Any] = {key: None for key in template}
        body["totalSize"] = len(records)
        body["done"] = end >= len(records)
        if body["done"]:
            body.pop("nextRecordsUrl", None)
        else:
            body["nextRecordsUrl"] = f"/services/data/v{self.api_version}/query/{locator}-{end}"
        body["records"] = [self._shape(record, fields) for record in chunk]
        return Response(200, body)

    def _shape(self, record: dict[str, Any], fields: list[str]) -> dict[str, Any]:
        sobject = record["_type"]
        out: dict[str, Any] = {"attributes": self._attributes(sobject, record["Id"])}
        for name in fields:
            if "." in name:
                relation, _, target_field = name.partition(".")
                id_field = relation[:-3] + "__c" if relation.endswith("__r") else relation + "Id"
                target_id = record.get(id_field)
                target = self.records.get(RELATION_TARGETS.get(relation, ""), {}).get(
                    target_id or ""
                )
                if target is None:
                    out[relation] = None
                    continue
                nested = out.get(relation) or {
                    "attributes": self._attributes(target["_type"], target["Id"])
                }
                nested[target_field] = target.get(target_field)
                out[relation] = nested
            else:
                out[name] = record.get(name)
        return out

    def _sorted(self, sobject: str) -> list[tuple[datetime, str]]:
        order = self._order.get(sobject)
        if order is None:
            order = sorted((r["_stamp"], r["Id"]) for r in self.records.get(sobject, {}).values())
            self._order[sobject] = order
        return order

    def _run_soql(self, soql: str, include_deleted: bool) -> tuple[list[str], list[dict[str, Any]]]:
        match = _SOQL.fullmatch(soql.strip())
        if match is None:
            raise SalesforceApiError(400, "MALFORMED_QUERY", "unexpected token in query")
        sobject = match.group("object")
        fields = [f.strip() for f in match.group("fields").split(",")]
        with self._lock:
            if sobject not in self.records:
                raise SalesforceApiError(
                    400, "INVALID_TYPE", f"sObject type '{sobject}' is not supported."
                )
            table = self.records[sobject]
            known = set().union(*(r.keys() for r in list(table.values())[:50]))
            for name in fields if table else ():
                if name.partition(".")[0] not in known and "." not in name:
                    error = self.fixtures["query_error_response"][0]
                    raise SalesforceApiError(
                        400, error["errorCode"], f"No such column '{name}' on entity '{sobject}'"
                    )
            after, tests = _conditions(match.group("where") or "")
            order = self._sorted(sobject)
            start = bisect.bisect_right(order, after) if after is not None else 0
            selected = []
            for stamp, record_id in order[start:]:
                record = table[record_id]
                record["_type"] = sobject
                if record.get("IsDeleted") and not include_deleted:
                    continue
                if all(test(record, stamp) for test in tests):
                    selected.append(record)
        return fields, selected


_SOQL = re.compile(
    r"SELECT (?P<fields>.+?) FROM (?P<object>\w+)(?: WHERE (?P<where>.+?))?"
    r" ORDER BY SystemModstamp, Id",
    re.S,
)
_CURSOR = re.compile(
    r"\(?SystemModstamp > (?P<t1>\S+) OR \(SystemModstamp = (?P<t2>\S+) AND Id > '(?P<id>[^']*)'\)\)?"
)
_EQUALS = re.compile(r"\(?(?P<field>\w+) = (?P<value>true|false|'[^']*'|-?\d+(?:\.\d+)?)\)?")


def _conditions(
    where: str,
) -> tuple[tuple[datetime, str] | None, list[Callable[[dict[str, Any], datetime], bool]]]:
    """(the cursor position records must come after, the other conditions)."""
    tests: list[Callable[[dict[str, Any], datetime], bool]] = []
    rest = where.strip()
    cursor = _CURSOR.search(rest)
    after: tuple[datetime, str] | None = None
    if cursor:
        after = (parse_sf_datetime(cursor.group("t1")), cursor.group("id"))
        rest = (rest[: cursor.start()] + rest[cursor.end() :]).strip()
    for part in [p.strip() for p in re.split(r"\bAND\b", rest) if p.strip()]:
        equals = _EQUALS.fullmatch(part)
        if equals is None:
            raise SalesforceApiError(400, "MALFORMED_QUERY", "unexpected token in WHERE")
        text = equals.group("value")
        value: Any = {"true": True, "false": False}.get(text, text.strip("'"))
        name = equals.group("field")
        tests.append(lambda r, s, n=name, v=value: r.get(n) == v)
    return after, tests


def _batch_size(options: str) -> int:
    match = re.search(r"batchSize=(\d+)", options)
    return max(200, min(2000, int(match.group(1)))) if match else 2000


def _kind(path: str) -> str:
    if "/Soap/" in path:
        return "login"
    if re.search(r"/(query|queryAll)/[\w-]+$", path):
        return "query_more"
    if re.search(r"/(query|queryAll)/?$", path):
        return "query"
    return "other"


def account_id(i: int) -> str:
    return f"001{i:012d}AAA"


def contact_id(i: int) -> str:
    return f"003{i:012d}AAA"


def _soap_login(fake: FakeSalesforce, request: Request) -> Response:
    body = request.body.decode()
    user = re.search(r"<(?:\w+:)?username>(.*?)</(?:\w+:)?username>", body)
    password = re.search(r"<(?:\w+:)?password>(.*?)</(?:\w+:)?password>", body)
    if (user and user.group(1)) != fake.username or (
        password and password.group(1)
    ) != fake.password + fake.security_token:
        fault = (
            '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
            'xmlns:sf="urn:fault.partner.soap.sforce.com"><soapenv:Body><soapenv:Fault>'
            "<faultcode>INVALID_LOGIN</faultcode><detail><sf:LoginFault>"
            "<sf:exceptionCode>INVALID_LOGIN</sf:exceptionCode><sf:exceptionMessage>Invalid "
            "username, password, security token; or user locked out.</sf:exceptionMessage>"
            "</sf:LoginFault></detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>"
        )
        return Response(500, fault, content_type="text/xml")
    token = "00Dfake!" + uuid.uuid4().hex
    fake.tokens.add(token)
    server_url = f"{fake.instance_url}/services/Soap/u/{fake.api_version}/00Dfake"
    envelope = (
        '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
        'xmlns="urn:partner.soap.sforce.com"><soapenv:Body><loginResponse><result>'
        f"<serverUrl>{server_url}</serverUrl><sessionId>{token}</sessionId>"
        "</result></loginResponse></soapenv:Body></soapenv:Envelope>"
    )
    return Response(200, envelope, content_type="text/xml")


FakeSalesforce._soap_login = staticmethod(_soap_login)  # type: ignore[attr-defined]


def _handler_class(fake: FakeSalesforce) -> type[BaseHTTPRequestHandler]:
    class _Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *_: object) -> None:
            pass

        def _serve(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            request = Request(
                method=self.command,
                path=parts.path,
                query=parse_qs(parts.query),
                headers={k.lower(): v for k, v in self.headers.items()},
                body=self.rfile.read(length) if length else b"",
            )
            response = fake.dispatch(request)
            if isinstance(response.body, str | bytes):
                payload = (
                    response.body.encode() if isinstance(response.body, str) else response.body
                )
            else:
                payload = json.dumps(response.body).encode()
            self.send_response(response.status)
            self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(len(payload)))
            for name, value in response.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PATCH = do_DELETE = _serve

    return _Handler
