"""FakeSlackApi itself: the threaded HTTP server, routing, and one call's dispatch.

Requests arrive as ``/api/<method>`` (JSON, form or query arguments), ``/hooks/…``
(response_url), ``/upload/<file id>`` (files_upload_v2's byte upload) or ``/link``
(Socket Mode). Each Web API method is answered by a function in its family module.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tests.support.fake_slack import (
    assistant,
    auth,
    chat,
    conversations,
    files,
    hooks,
    users,
    views,
)
from tests.support.fake_slack.faults import Fault, FaultInjection, SlackErrorResponse, fault_answer
from tests.support.fake_slack.state import RecordedCall, SlackState

MethodHandler = Callable[["FakeSlackApi", dict[str, Any]], dict[str, Any]]

JSON_ARGUMENTS = frozenset(
    {"blocks", "attachments", "view", "files", "prompts", "metadata", "loading_messages"}
)
METHODS: dict[str, MethodHandler] = {
    **auth.METHODS,
    **chat.METHODS,
    **conversations.METHODS,
    **users.METHODS,
    **views.METHODS,
    **assistant.METHODS,
    **files.METHODS,
}


class FakeSlackApi(SlackState, FaultInjection):
    """A threaded local Slack Web API; use as a context manager or call start()/stop()."""

    def __init__(
        self,
        *,
        bot_token: str = "xoxb-fake-bot-token",
        app_token: str = "xapp-fake-app-token",
        team_id: str = "T111",
        bot_user_id: str = "UCSBOT",
        bot_id: str = "BCSBOT",
        strict_channels: bool = False,
        validate_blocks: bool = True,
    ) -> None:
        self.bot_token = bot_token
        self.app_token = app_token
        self.team_id = team_id
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.strict_channels = strict_channels
        self.validate_blocks = validate_blocks
        self._init_state()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.reset()

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> FakeSlackApi:
        if self._server is not None:
            return self
        server = ThreadingHTTPServer(("127.0.0.1", 0), _make_request_handler(self))
        server.daemon_threads = True
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, name="fake-slack-api", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        from tests.support.slack_socket_mode import close_all_sessions

        close_all_sessions(self)
        self._server.shutdown()
        self._server.server_close()
        self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeSlackApi:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def reset(self) -> None:
        """Forget calls, state and faults (users and channels too)."""
        with self._lock:
            self._reset_state()
            self._reset_faults()

    # ------------------------------------------------------------------ addresses
    @property
    def port(self) -> int:
        assert self._server is not None, "FakeSlackApi is not started"
        return int(self._server.server_address[1])

    @property
    def root_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        """What ``WebClient(base_url=...)`` and ``SLACK_API_URL`` take."""
        return f"{self.root_url}/api/"

    def response_url(self, label: str = "commands") -> str:
        """A fresh ``response_url`` served by the fake (5 uses within 30 minutes)."""
        return hooks.new_response_url(self, label)

    def issue_trigger_id(self) -> str:
        """A trigger id that expires after 3 s and works once (unknown ids are accepted)."""
        return views.issue_trigger_id(self)

    # ------------------------------------------------------------------ dispatch
    def handle_api(
        self, method: str, args: dict[str, Any], token: str | None
    ) -> tuple[int, dict[str, Any], dict[str, str], Fault | None]:
        """Answer one Web API call: (status, body, headers, fault-with-reset-or-delay)."""
        call = RecordedCall(
            method=method,
            args=args,
            token=token,
            at=time.time(),
            thread=threading.current_thread().name,
        )
        fault = self._take_fault(method)
        self._wait_before_answering(method, fault)
        if fault is not None and fault.ghost:
            self._answer(method, args, token)  # the work happens; the answer is lost
        if fault is not None and fault.reset:
            call.status = 0
            self._record(call)
            return 0, {}, {}, fault
        status, body, headers = fault_answer(fault) if fault else self._answer(method, args, token)
        call.status, call.response = status, body
        self._record(call)
        return status, body, headers, None

    def _answer(
        self, method: str, args: dict[str, Any], token: str | None
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        handler = METHODS.get(method)
        if handler is None:
            return 200, {"ok": False, "error": "unknown_method"}, {}
        auth_error = auth.check_token(self, method, token)
        if auth_error:
            return 200, {"ok": False, "error": auth_error}, {}
        try:
            with self._lock:
                result = handler(self, args)
        except SlackErrorResponse as refusal:
            headers = {}
            if refusal.status == 429:
                headers["Retry-After"] = str(refusal.extra.pop("retry_after", 1))
            return refusal.status, {"ok": False, "error": refusal.error, **refusal.extra}, headers
        return 200, {"ok": True, **result}, {}

    def handle_response_url(self, path: str, payload: dict[str, Any]) -> tuple[int, str]:
        return hooks.handle_response_url(self, path, payload)

    def handle_upload(self, file_id: str, data: bytes) -> tuple[int, str]:
        return files.handle_upload(self, file_id, data)


# --------------------------------------------------------------------------- HTTP layer
def _parse_arguments(query: str, body: bytes, content_type: str) -> dict[str, Any]:
    args: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
    if body:
        if content_type.startswith("application/json"):
            parsed = json.loads(body.decode("utf-8"))
            if isinstance(parsed, dict):
                args.update(parsed)
        else:
            args.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    for key in JSON_ARGUMENTS & args.keys():
        value = args[key]
        if isinstance(value, str) and value[:1] in "[{":
            with contextlib.suppress(ValueError):
                args[key] = json.loads(value)
    return args


def _bearer(header: str | None) -> str | None:
    if header and header.lower().startswith("bearer "):
        return header[7:].strip()
    return None


def _make_request_handler(fake: FakeSlackApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib name
            return  # keep test output clean

        def _read_body(self) -> bytes:
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length else b""

        def _send(
            self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None
        ) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:  # noqa: N802 - stdlib name
            parts = urlsplit(self.path)
            if parts.path.startswith("/link"):
                from tests.support.slack_socket_mode import serve_socket_mode_connection

                serve_socket_mode_connection(fake, self)
                return
            self._api(parts.path, parts.query, b"")

        def do_POST(self) -> None:  # noqa: N802 - stdlib name
            parts = urlsplit(self.path)
            body = self._read_body()
            if parts.path.startswith("/hooks/"):
                try:
                    payload = json.loads(body.decode("utf-8") or "{}")
                except ValueError:
                    self._send(400, b"invalid_payload", "text/plain")
                    return
                status, text = fake.handle_response_url(parts.path, payload)
                self._send(status, text.encode(), "text/plain")
                return
            if parts.path.startswith("/upload/"):
                status, text = fake.handle_upload(parts.path.removeprefix("/upload/"), body)
                self._send(status, text.encode(), "text/plain")
                return
            self._api(parts.path, parts.query, body)

        def _api(self, path: str, query: str, body: bytes) -> None:
            if not path.startswith("/api/"):
                self._send(HTTPStatus.NOT_FOUND, b"not found", "text/plain")
                return
            method = path.removeprefix("/api/").strip("/")
            try:
                args = _parse_arguments(query, body, self.headers.get("Content-Type") or "")
            except ValueError:
                self._send(
                    200,
                    json.dumps({"ok": False, "error": "invalid_json"}).encode(),
                    "application/json",
                )
                return
            token = _bearer(self.headers.get("Authorization")) or args.pop("token", None)
            status, answer, headers, fault = fake.handle_api(method, args, token)
            if fault is not None and fault.reset:
                self.close_connection = True
                with contextlib.suppress(OSError):
                    self.connection.shutdown(2)
                return
            self._send(
                status, json.dumps(answer).encode(), "application/json; charset=utf-8", headers
            )

    return Handler
