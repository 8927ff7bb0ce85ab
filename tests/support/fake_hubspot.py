"""FakeHubSpot: a local HubSpot CRM v3 API that the real ``hubspot-api-client`` talks to.

HubSpot is faked only at the HTTP boundary: csbot builds its ordinary
``hubspot.Client`` with ``host=fake.base_url`` and everything between (URL building,
bearer auth, model (de)serialisation and validation, error types) is the library's
own code. Record shapes come from the recorded fixtures in
``/work/shared/datasets/api-fixtures/hubspot/`` (read at start, never copied into the
repository; see that folder's PROVENANCE.md): each generated object is the fixture's
``results[0]`` (``id``, ``properties``, ``createdAt``, ``updatedAt``, ``archived``) with
its values replaced, and each property definition is the fixture's ``properties.json``
entry with its name, label and type replaced. Airbyte's flattened association arrays
(``"contacts": [...]`` on a record) are not part of the v3 API and are dropped; the
associations are served the way the API does (``?associations=`` and the v4 batch read).

What it serves:

* ``GET /crm/v3/objects/{type}`` with ``limit`` (≤ 100), ``after`` (``paging.next.after``),
  ``properties``, ``associations`` and ``archived=true`` (only archived objects);
* ``POST /crm/v3/objects/{type}/search``: filter groups (GTE/GT/LTE/LT/EQ/NEQ/IN) on
  any property (dates compare as epoch milliseconds), one sort, ``after`` paging, and
  the 10,000-results-per-query cap (``after`` at or past the cap answers 400);
* ``GET /crm/v3/owners``, ``GET /crm/v3/pipelines/deals``, ``GET /crm/v3/properties/{type}``;
* ``POST /crm/v4/associations/{from}/{to}/batch/read`` (207 with errors for ids without any);
* ``POST /crm/v3/objects/companies/batch/update`` (≤ 100 inputs; unknown properties fail
  the batch with 400, missing/archived ids and ``reject_updates`` ids come back as
  per-record errors in a 207);
* faults (:meth:`FakeHubSpot.add_fault`): any status (429 with ``Retry-After``, 500…)
  on the n-th matching request; a wrong bearer token always gets 401;
* hooks (:meth:`FakeHubSpot.on_request`): change data just before the n-th matching
  request (a record edited while csbot pages through a search).

Every request is recorded (``requests``); every accepted company update is kept in
``updates`` so writeback tests assert exactly what HubSpot received.
"""

from __future__ import annotations

import copy
import itertools
import json
import random
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

FIXTURES_DIR = (
    Path(__file__).resolve().parents[3] / "shared" / "datasets" / "api-fixtures" / "hubspot"
)
SEARCH_RESULT_CAP = 10_000
LIST_LIMIT_MAX = 100
SEARCH_LIMIT_MAX = 200
BATCH_UPDATE_MAX = 100
OBJECT_TYPES = ("companies", "contacts", "deals")
# Where each object type keeps its last-modified date (HubSpot's own inconsistency).
MODIFIED_PROPERTY = {
    "companies": "hs_lastmodifieddate",
    "contacts": "lastmodifieddate",
    "deals": "hs_lastmodifieddate",
}
ASSOCIATION_TYPE_IDS = {
    ("contacts", "companies"): 1,
    ("companies", "contacts"): 2,
    ("deals", "companies"): 5,
    ("companies", "deals"): 6,
}
# The generator's fixed clock: nothing here depends on today's date.
GENERATED_AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
INDUSTRIES = ("COMPUTER_SOFTWARE", "FINANCIAL_SERVICES", "HOSPITAL_HEALTH_CARE", "RETAIL", "")
WRITEBACK_PROPERTIES = (
    ("csbot_health_score", "number"),
    ("csbot_health_band", "string"),
    ("csbot_churn_risk", "number"),
    ("csbot_top_driver", "string"),
    ("csbot_scored_at", "datetime"),
)
COMPANY_PROPERTIES = (
    ("name", "string"),
    ("domain", "string"),
    ("industry", "enumeration"),
    ("annualrevenue", "number"),
    ("numberofemployees", "number"),
    ("hubspot_owner_id", "enumeration"),
    ("lifecyclestage", "enumeration"),
    ("createdate", "datetime"),
    ("hs_lastmodifieddate", "datetime"),
    ("hs_object_id", "number"),
    *WRITEBACK_PROPERTIES,
)
CONTACT_PROPERTIES = (
    ("firstname", "string"),
    ("lastname", "string"),
    ("email", "string"),
    ("jobtitle", "string"),
    ("hubspot_owner_id", "enumeration"),
    ("createdate", "datetime"),
    ("lastmodifieddate", "datetime"),
    ("hs_object_id", "number"),
)
DEAL_PROPERTIES = (
    ("dealname", "string"),
    ("amount", "number"),
    ("dealstage", "enumeration"),
    ("pipeline", "enumeration"),
    ("dealtype", "enumeration"),
    ("closedate", "datetime"),
    ("hubspot_owner_id", "enumeration"),
    ("createdate", "datetime"),
    ("hs_lastmodifieddate", "datetime"),
    ("hs_object_id", "number"),
)
PROPERTY_DEFINITIONS = {
    "companies": COMPANY_PROPERTIES,
    "contacts": CONTACT_PROPERTIES,
    "deals": DEAL_PROPERTIES,
}
# HubSpot's default sales pipeline plus a renewals pipeline (stage ids as HubSpot names them).
PIPELINES: dict[str, dict[str, Any]] = {
    "default": {
        "label": "Sales Pipeline",
        "stages": [
            ("appointmentscheduled", "Appointment Scheduled", "false", "0.2"),
            ("qualifiedtobuy", "Qualified To Buy", "false", "0.4"),
            ("contractsent", "Contract Sent", "false", "0.8"),
            ("closedwon", "Closed Won", "true", "1.0"),
            ("closedlost", "Closed Lost", "true", "0.0"),
        ],
    },
    "renewals": {
        "label": "Renewals",
        "stages": [
            ("renewal_open", "Renewal Open", "false", "0.5"),
            ("renewal_won", "Renewed", "true", "1.0"),
            ("renewal_lost", "Churned", "true", "0.0"),
        ],
    },
}


def iso(moment: datetime) -> str:
    """HubSpot's timestamp text: UTC, milliseconds, ``Z``."""
    return (
        moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    )


def epoch_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _fixture(name: str) -> Any:
    return json.loads((FIXTURES_DIR / name).read_text(encoding="utf-8"))


@dataclass
class Fault:
    """Answer ``status`` instead of the real thing on matching requests.

    ``match`` is a substring of ``METHOD /path`` (``"GET /crm/v3/objects/companies"``);
    the first ``skip`` matching requests pass, the next ``times`` fail.
    """

    match: str
    status: int = 500
    skip: int = 0
    times: int = 1
    retry_after: int | None = None
    seen: int = 0


@dataclass
class Hook:
    """Run ``action(fake)`` just before the ``skip + 1``-th request matching ``match``.

    For what happens in HubSpot while csbot reads (a user edits a record mid-sync).
    """

    match: str
    action: Callable[[FakeHubSpot], None]
    skip: int = 0
    seen: int = 0


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    body: Any
    status: int = 200


@dataclass
class FakeHubSpot:
    """A running fake HubSpot account (see the module docstring)."""

    token: str = "pat-na1-fake-0000"
    search_cap: int = SEARCH_RESULT_CAP
    objects: dict[str, dict[str, dict[str, Any]]] = field(
        default_factory=lambda: {kind: {} for kind in OBJECT_TYPES}
    )
    associations: dict[tuple[str, str], dict[str, list[str]]] = field(default_factory=dict)
    owners: list[dict[str, Any]] = field(default_factory=list)
    requests: list[RecordedRequest] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    hooks: list[Hook] = field(default_factory=list)
    reject_updates: dict[str, str] = field(default_factory=dict)
    """company id → error message: its next batch update fails for that record only."""
    now: datetime = GENERATED_AT
    _templates: dict[str, dict[str, Any]] = field(default_factory=dict)
    _property_template: dict[str, Any] = field(default_factory=dict)
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(5_000_000_001))
    _lock: threading.RLock = field(default_factory=threading.RLock)
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    def __post_init__(self) -> None:
        for kind, name in (
            ("companies", "companies_list.json"),
            ("contacts", "contacts_list.json"),
            ("deals", "deals_list.json"),
        ):
            record = _fixture(name)["results"][0]
            self._templates[kind] = {
                key: record[key]
                for key in ("id", "properties", "createdAt", "updatedAt", "archived")
            }
        self._property_template = _fixture("properties.json")[0]

    # --- lifecycle --------------------------------------------------------------------
    def start(self) -> FakeHubSpot:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        server.daemon_threads = True
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeHubSpot:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """What ``CSBOT_HUBSPOT_BASE_URL`` should be set to."""
        assert self._server is not None, "server not started"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # --- data -------------------------------------------------------------------------
    def tick(self, seconds: float = 1.0) -> datetime:
        """Advance the fake's clock (every write stamps its modification time with it)."""
        with self._lock:
            self.now = self.now + timedelta(seconds=seconds)
            return self.now

    def add_owner(self, email: str, first: str, last: str) -> str:
        with self._lock:
            owner_id = str(len(self.owners) + 101)
            self.owners.append(
                {
                    "id": owner_id,
                    "email": email,
                    "firstName": first,
                    "lastName": last,
                    "userId": 9_000_000 + int(owner_id),
                    "userIdIncludingInactive": 9_000_000 + int(owner_id),
                    "type": "PERSON",
                    "createdAt": iso(GENERATED_AT - timedelta(days=400)),
                    "updatedAt": iso(GENERATED_AT - timedelta(days=30)),
                    "archived": False,
                    "teams": [],
                }
            )
            return owner_id

    def add_object(
        self, kind: str, properties: dict[str, Any], *, object_id: str | None = None
    ) -> str:
        """Create one object in the fixture's shape; returns its id."""
        with self._lock:
            new_id = object_id or str(next(self._ids))
            stamp = self.tick(0.001)
            record = copy.deepcopy(self._templates[kind])
            record["id"] = new_id
            record["createdAt"] = iso(stamp)
            record["updatedAt"] = iso(stamp)
            record["archived"] = False
            record["properties"] = {
                "createdate": iso(stamp),
                MODIFIED_PROPERTY[kind]: iso(stamp),
                "hs_object_id": new_id,
                **{key: _text(value) for key, value in properties.items()},
            }
            self.objects[kind][new_id] = record
            return new_id

    def update_object(self, kind: str, object_id: str, **properties: Any) -> None:
        """Change properties as a HubSpot user would (bumps the modification date)."""
        with self._lock:
            record = self.objects[kind][object_id]
            stamp = self.tick(1)
            record["properties"].update({key: _text(value) for key, value in properties.items()})
            record["properties"][MODIFIED_PROPERTY[kind]] = iso(stamp)
            record["updatedAt"] = iso(stamp)

    def archive_object(self, kind: str, object_id: str) -> None:
        with self._lock:
            record = self.objects[kind][object_id]
            stamp = self.tick(1)
            record["archived"] = True
            record["archivedAt"] = iso(stamp)
            record["updatedAt"] = iso(stamp)

    def associate(self, from_kind: str, from_id: str, to_kind: str, to_id: str) -> None:
        """Associate two objects (both directions, as HubSpot keeps them)."""
        with self._lock:
            self.associations.setdefault((from_kind, to_kind), {}).setdefault(from_id, []).append(
                to_id
            )
            self.associations.setdefault((to_kind, from_kind), {}).setdefault(to_id, []).append(
                from_id
            )

    def generate(
        self,
        companies: int = 2000,
        *,
        contacts_per_company: int = 2,
        deals_per_company: int = 1,
        owners: int = 8,
        seed: int = 12,
    ) -> None:
        """Fill the account with a deterministic portfolio (thousands of records)."""
        rng = random.Random(seed)
        owner_ids = [
            self.add_owner(f"csm{n}@example.com", f"Csm{n}", "Owner") for n in range(1, owners + 1)
        ]
        for n in range(1, companies + 1):
            company = self.add_object(
                "companies",
                {
                    "name": f"Company {n:05d}",
                    "domain": f"company{n:05d}.example.com",
                    "industry": rng.choice(INDUSTRIES),
                    "annualrevenue": rng.randrange(10, 2000) * 1000,
                    "numberofemployees": rng.randrange(5, 5000),
                    "hubspot_owner_id": rng.choice(owner_ids),
                    "lifecyclestage": "customer",
                },
            )
            for c in range(contacts_per_company):
                contact = self.add_object(
                    "contacts",
                    {
                        "firstname": f"Person{c}",
                        "lastname": f"Of{n:05d}",
                        "email": f"person{c}@company{n:05d}.example.com",
                        "jobtitle": rng.choice(("VP Operations", "Admin", "CTO", "")),
                    },
                )
                self.associate("contacts", contact, "companies", company)
            for d in range(deals_per_company):
                pipeline = "renewals" if d % 2 == 0 else "default"
                stages = PIPELINES[pipeline]["stages"]
                stage = rng.choice(stages)[0]
                deal = self.add_object(
                    "deals",
                    {
                        "dealname": f"Company {n:05d} deal {d}",
                        "amount": rng.randrange(5, 500) * 100,
                        "pipeline": pipeline,
                        "dealstage": stage,
                        "dealtype": "existingbusiness" if pipeline == "renewals" else "newbusiness",
                        "closedate": iso(GENERATED_AT + timedelta(days=rng.randrange(-200, 300))),
                        "hubspot_owner_id": rng.choice(owner_ids),
                    },
                )
                self.associate("deals", deal, "companies", company)

    def company_updates(self) -> list[tuple[str, str, str]]:
        """Every accepted writeback as (company id, property, value), in arrival order."""
        with self._lock:
            return [
                (update["id"], name, value)
                for update in self.updates
                for name, value in update["properties"].items()
            ]

    def calls(self, match: str) -> list[RecordedRequest]:
        """Recorded requests whose ``METHOD /path`` contains ``match``."""
        with self._lock:
            return [r for r in self.requests if match in f"{r.method} {r.path}"]

    def on_request(
        self, match: str, action: Callable[[FakeHubSpot], None], *, skip: int = 0
    ) -> Hook:
        with self._lock:
            hook = Hook(match, action, skip)
            self.hooks.append(hook)
            return hook

    def add_fault(self, fault: Fault) -> Fault:
        with self._lock:
            self.faults.append(fault)
            return fault

    # --- request handling ------------------------------------------------------------
    def handle(
        self, method: str, path: str, query: dict[str, list[str]], body: Any, auth: str | None
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        with self._lock:
            for hook in self.hooks:
                if hook.match in f"{method} {path}":
                    hook.seen += 1
                    if hook.seen == hook.skip + 1:
                        hook.action(self)
            recorded = RecordedRequest(method, path, query, body)
            self.requests.append(recorded)
            status, payload, headers = self._route(method, path, query, body, auth)
            recorded.status = status
            return status, payload, headers

    def _route(
        self, method: str, path: str, query: dict[str, list[str]], body: Any, auth: str | None
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        if auth != f"Bearer {self.token}":
            return (
                401,
                _error(
                    "Authentication credentials not found. This API supports OAuth 2.0 "
                    "authentication and you can find more details at https://developers.hubspot.com",
                    "INVALID_AUTHENTICATION",
                ),
                {},
            )
        fault = self._due_fault(f"{method} {path}")
        if fault is not None:
            headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after else {}
            if fault.status == 429:
                payload = _error("You have reached your secondly limit.", "RATE_LIMITS")
                payload["policyName"] = "SECONDLY"
            else:
                payload = _error("internal error", "INTERNAL_ERROR")
            return fault.status, payload, headers
        parts = [part for part in path.split("/") if part]
        # The client sends list parameters repeated (``properties=a&properties=b``).
        one = {key: ",".join(values) for key, values in query.items()}
        if parts[:3] == ["crm", "v3", "objects"] and len(parts) >= 4 and parts[3] in OBJECT_TYPES:
            kind = parts[3]
            if len(parts) == 4 and method == "GET":
                return self._list(kind, one)
            if parts[4:] == ["search"] and method == "POST":
                return self._search(kind, body or {})
            if parts[4:] == ["batch", "update"] and method == "POST" and kind == "companies":
                return self._batch_update(body or {})
        if parts == ["crm", "v3", "owners"] and method == "GET":
            return self._owners(one)
        if parts == ["crm", "v3", "pipelines", "deals"] and method == "GET":
            return 200, {"results": _pipelines()}, {}
        if parts[:3] == ["crm", "v3", "properties"] and len(parts) == 4 and method == "GET":
            return self._properties(parts[3])
        if (
            parts[:3] == ["crm", "v4", "associations"]
            and parts[5:] == ["batch", "read"]
            and method == "POST"
        ):
            return self._associations_read(parts[3], parts[4], body or {})
        return 404, _error(f"no route {method} {path}", "OBJECT_NOT_FOUND"), {}

    def _due_fault(self, line: str) -> Fault | None:
        for fault in self.faults:
            if fault.match in line:
                fault.seen += 1
                if fault.skip < fault.seen <= fault.skip + fault.times:
                    return fault
        return None

    def _shown(self, kind: str, record: dict[str, Any], names: list[str] | None) -> dict[str, Any]:
        shown = {key: value for key, value in record.items() if key != "properties"}
        props = record["properties"]
        wanted = names or ["createdate", MODIFIED_PROPERTY[kind], "hs_object_id"]
        shown["properties"] = {name: props.get(name) for name in wanted}
        return shown

    def _list(self, kind: str, query: dict[str, str]) -> tuple[int, dict[str, Any], dict[str, str]]:
        archived = query.get("archived", "false").lower() == "true"
        limit = min(int(query.get("limit", 10)), LIST_LIMIT_MAX)
        start = int(query.get("after") or 0)
        names = [n for n in query.get("properties", "").split(",") if n] or None
        linked = [n for n in query.get("associations", "").split(",") if n]
        rows = [r for r in self.objects[kind].values() if bool(r["archived"]) == archived]
        rows.sort(key=lambda r: int(r["id"]))
        page = rows[start : start + limit]
        results = []
        for record in page:
            shown = self._shown(kind, record, names)
            links = {
                other: {
                    "results": [
                        {"id": to_id, "type": f"{_singular(kind)}_to_{_singular(other)}"}
                        for to_id in self.associations.get((kind, other), {}).get(record["id"], [])
                    ]
                }
                for other in linked
                if self.associations.get((kind, other), {}).get(record["id"])
            }
            if links:
                shown["associations"] = links
            results.append(shown)
        payload: dict[str, Any] = {"results": results}
        if start + limit < len(rows):
            after = str(start + limit)
            payload["paging"] = {
                "next": {
                    "after": after,
                    "link": f"{self.base_url}/crm/v3/objects/{kind}?after={after}",
                }
            }
        return 200, payload, {}

    def _search(
        self, kind: str, body: dict[str, Any]
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        limit = int(body.get("limit") or 10)
        if limit > SEARCH_LIMIT_MAX:
            return 400, _error(f"limit must be at most {SEARCH_LIMIT_MAX}", "VALIDATION_ERROR"), {}
        start = int(body.get("after") or 0)
        if start >= self.search_cap:
            return (
                400,
                _error(
                    f"Search can page through at most {self.search_cap} results; "
                    "narrow the filter and search again",
                    "VALIDATION_ERROR",
                ),
                {},
            )
        groups = body.get("filterGroups") or []
        rows = [
            r
            for r in self.objects[kind].values()
            if not r["archived"] and (not groups or any(_matches(r, g) for g in groups))
        ]
        sort_name, descending = _sort_of(body.get("sorts") or [], kind)
        rows.sort(
            key=lambda r: (_sortable(r["properties"].get(sort_name)), int(r["id"])),
            reverse=descending,
        )
        names = body.get("properties") or None
        stop = min(start + limit, len(rows), self.search_cap)
        payload: dict[str, Any] = {
            "total": len(rows),
            "results": [self._shown(kind, r, names) for r in rows[start:stop]],
        }
        if stop < len(rows):
            payload["paging"] = {"next": {"after": str(stop)}}
        return 200, payload, {}

    def _batch_update(self, body: dict[str, Any]) -> tuple[int, dict[str, Any], dict[str, str]]:
        inputs = body.get("inputs") or []
        if len(inputs) > BATCH_UPDATE_MAX:
            return (
                400,
                _error(f"at most {BATCH_UPDATE_MAX} inputs per batch", "VALIDATION_ERROR"),
                {},
            )
        known = {name for name, _ in COMPANY_PROPERTIES}
        unknown = sorted(
            {n for item in inputs for n in item.get("properties", {}) if n not in known}
        )
        if unknown:
            return (
                400,
                _error(
                    f"Property values were not valid: {', '.join(unknown)} does not exist",
                    "VALIDATION_ERROR",
                ),
                {},
            )
        started = iso(self.now)
        results, errors = [], []
        for item in inputs:
            company_id = str(item.get("id"))
            record = self.objects["companies"].get(company_id)
            if company_id in self.reject_updates:
                message = self.reject_updates.pop(company_id)
                errors.append(_record_error(message, "VALIDATION_ERROR", company_id))
                continue
            if record is None or record["archived"]:
                errors.append(
                    _record_error(f"Object {company_id} not found", "OBJECT_NOT_FOUND", company_id)
                )
                continue
            stamp = self.tick(0.001)
            properties = {name: _text(value) for name, value in item["properties"].items()}
            record["properties"].update(properties)
            record["properties"]["hs_lastmodifieddate"] = iso(stamp)
            record["updatedAt"] = iso(stamp)
            self.updates.append({"id": company_id, "properties": properties})
            results.append(self._shown("companies", record, list(properties)))
        payload: dict[str, Any] = {
            "status": "COMPLETE",
            "results": results,
            "startedAt": started,
            "completedAt": iso(self.now),
        }
        if errors:
            payload["numErrors"] = len(errors)
            payload["errors"] = errors
            return 207, payload, {}
        return 200, payload, {}

    def _owners(self, query: dict[str, str]) -> tuple[int, dict[str, Any], dict[str, str]]:
        limit = min(int(query.get("limit", 100)), 500)
        start = int(query.get("after") or 0)
        rows = [o for o in self.owners if "email" not in query or o["email"] == query["email"]]
        payload: dict[str, Any] = {"results": rows[start : start + limit]}
        if start + limit < len(rows):
            payload["paging"] = {"next": {"after": str(start + limit)}}
        return 200, payload, {}

    def _properties(self, kind: str) -> tuple[int, dict[str, Any], dict[str, str]]:
        if kind not in PROPERTY_DEFINITIONS:
            return 404, _error(f"unknown object type {kind}", "OBJECT_NOT_FOUND"), {}
        results = []
        for order, (name, kind_of) in enumerate(PROPERTY_DEFINITIONS[kind]):
            definition = copy.deepcopy(self._property_template)
            definition.update(
                name=name,
                label=name.replace("_", " ").title(),
                description="",
                groupName=f"{kind[:-1]}information",
                type=kind_of,
                fieldType={"number": "number", "datetime": "date"}.get(kind_of, "text"),
                displayOrder=order,
                hubspotDefined=not name.startswith("csbot_"),
            )
            results.append(definition)
        return 200, {"results": results}, {}

    def _associations_read(
        self, from_kind: str, to_kind: str, body: dict[str, Any]
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        links = self.associations.get((from_kind, to_kind), {})
        type_id = ASSOCIATION_TYPE_IDS.get((from_kind, to_kind), 0)
        results, errors = [], []
        for item in body.get("inputs") or []:
            from_id = str(item.get("id"))
            targets = links.get(from_id)
            if not targets:
                errors.append(
                    _record_error(
                        f"No {_singular(to_kind)} is associated with {_singular(from_kind)} {from_id}.",
                        "OBJECT_NOT_FOUND",
                        from_id,
                        sub_category="crm.associations.NO_ASSOCIATIONS_FOUND",
                    )
                )
                continue
            results.append(
                {
                    "from": {"id": from_id},
                    "to": [
                        {
                            "toObjectId": int(to_id),
                            "associationTypes": [
                                {"category": "HUBSPOT_DEFINED", "typeId": type_id, "label": None}
                            ],
                        }
                        for to_id in targets
                    ],
                }
            )
        payload: dict[str, Any] = {
            "status": "COMPLETE",
            "results": results,
            "startedAt": iso(self.now),
            "completedAt": iso(self.now),
        }
        if errors:
            payload["numErrors"] = len(errors)
            payload["errors"] = errors
            return 207, payload, {}
        return 200, payload, {}


def _singular(kind: str) -> str:
    return {"companies": "company", "contacts": "contact", "deals": "deal"}.get(kind, kind)


def _text(value: Any) -> str | None:
    """HubSpot stores every property value as text (or null)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return iso(value)
    return str(value)


def _error(message: str, category: str) -> dict[str, Any]:
    return {
        "status": "error",
        "message": message,
        "correlationId": str(uuid.uuid4()),
        "category": category,
    }


def _record_error(
    message: str, category: str, object_id: str, *, sub_category: str | None = None
) -> dict[str, Any]:
    error: dict[str, Any] = {
        "status": "error",
        "category": category,
        "message": message,
        "context": {"ids": [object_id]},
        "links": {},
        "errors": [],
    }
    if sub_category:
        error["subCategory"] = sub_category
    return error


def _sortable(value: str | None) -> tuple[int, float | str]:
    """Dates and numbers compare as numbers, the rest as text; nulls sort first."""
    if value is None:
        return (0, "")
    number = _as_number(value)
    return (1, number) if number is not None else (2, value)


def _as_number(value: str) -> float | None:
    try:
        return float(value)
    except ValueError:
        pass
    try:
        return float(epoch_ms(datetime.fromisoformat(value.replace("Z", "+00:00"))))
    except ValueError:
        return None


def _matches(record: dict[str, Any], group: dict[str, Any]) -> bool:
    for condition in group.get("filters") or []:
        stored = record["properties"].get(condition.get("propertyName"))
        operator = condition.get("operator", "EQ")
        if operator == "HAS_PROPERTY":
            if stored is None:
                return False
            continue
        if stored is None:
            return False
        if operator == "IN":
            if stored not in (condition.get("values") or []):
                return False
            continue
        left, right = _sortable(stored), _sortable(str(condition.get("value")))
        checks = {
            "EQ": left == right,
            "NEQ": left != right,
            "GT": left > right,
            "GTE": left >= right,
            "LT": left < right,
            "LTE": left <= right,
        }
        if not checks.get(operator, False):
            return False
    return True


def _sort_of(sorts: list[Any], kind: str) -> tuple[str, bool]:
    """HubSpot takes ``[{"propertyName", "direction"}]`` (or names); default: by id."""
    if not sorts:
        return "hs_object_id", False
    first = sorts[0]
    if isinstance(first, str):
        return first.lstrip("-"), first.startswith("-")
    return str(first.get("propertyName")), str(first.get("direction", "ASCENDING")) == "DESCENDING"


def _pipelines() -> list[dict[str, Any]]:
    stamp = iso(GENERATED_AT - timedelta(days=365))
    return [
        {
            "id": pipeline_id,
            "label": pipeline["label"],
            "displayOrder": order,
            "archived": False,
            "createdAt": stamp,
            "updatedAt": stamp,
            "stages": [
                {
                    "id": stage_id,
                    "label": label,
                    "displayOrder": n,
                    "metadata": {"isClosed": closed, "probability": probability},
                    "archived": False,
                    "createdAt": stamp,
                    "updatedAt": stamp,
                    "writePermissions": "CRM_PERMISSIONS_ENFORCEMENT",
                }
                for n, (stage_id, label, closed, probability) in enumerate(pipeline["stages"])
            ],
        }
        for order, (pipeline_id, pipeline) in enumerate(PIPELINES.items())
    ]


def _handler_for(fake: FakeHubSpot) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib name
            """Silence the default stderr access log."""

        def do_GET(self) -> None:  # noqa: N802 - stdlib naming
            self._serve("GET")

        def do_POST(self) -> None:  # noqa: N802 - stdlib naming
            self._serve("POST")

        def do_PATCH(self) -> None:  # noqa: N802 - stdlib naming
            self._serve("PATCH")

        def _serve(self, method: str) -> None:
            length = int(self.headers.get("content-length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body = json.loads(raw) if raw else None
            except json.JSONDecodeError:
                self._send(400, _error("body is not JSON", "VALIDATION_ERROR"), {})
                return
            split = urlsplit(self.path)
            status, payload, headers = fake.handle(
                method, split.path, parse_qs(split.query), body, self.headers.get("authorization")
            )
            self._send(status, payload, headers)

        def _send(self, status: int, payload: dict[str, Any], headers: dict[str, str]) -> None:
            data = json.dumps(payload).encode()
            try:
                self.send_response(status)
                self.send_header("content-type", "application/json;charset=utf-8")
                self.send_header("content-length", str(len(data)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass

    return Handler
