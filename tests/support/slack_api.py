"""FakeSlackApi: a local Slack Web API the real ``slack_sdk`` client talks to over HTTP.

Slack is faked only at the HTTP boundary: the app under test builds its ordinary
``WebClient`` with ``base_url=fake.base_url`` and everything between (serialisation,
retry handlers, ``Retry-After``, timeouts, response_url webhooks, file uploads) is
the real code. The fake

* serves ``/api/<method>`` (JSON, form and query arguments) on ``127.0.0.1:0``;
* records every call with its parsed arguments (``calls``, ``requests``, ``wait_for``);
* keeps channels, messages (with ``ts``), threads, ephemeral messages, views and
  uploaded files, so tests assert on what a person would see;
* answers Slack's error codes (``invalid_auth``, ``channel_not_found``,
  ``not_in_channel``, ``invalid_blocks`` from the same checks as ``blockcheck``,
  ``message_not_found``, ``expired_trigger_id``, ``push_limit_reached``…);
* injects faults (``fail_next``: 429 + ``Retry-After``, 500, ``ok: false`` errors,
  delays, connection resets, and "ghost" failures that do the work and then answer
  an error, as Slack sometimes does) and can rate limit ``chat.postMessage`` per channel;
* serves ``response_url`` webhooks under ``/hooks/…`` (5 uses, 30 minutes);
* optionally speaks Socket Mode (``apps.connections.open`` → ``ws://…/link``).

Usage::

    with FakeSlackApi() as fake:
        client = WebClient(token=fake.bot_token, base_url=fake.base_url)
        client.chat_postMessage(channel="C1", text="hi")
        assert fake.calls("chat.postMessage")[0]["text"] == "hi"
"""

from __future__ import annotations

import contextlib
import itertools
import json
import math
import threading
import time
import uuid
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tests.support.blockcheck import block_problems, view_problems

JSON_ARGUMENTS = frozenset(
    {"blocks", "attachments", "view", "files", "prompts", "metadata", "loading_messages"}
)
RESPONSE_URL_MAX_USES = 5
RESPONSE_URL_TTL_SECONDS = 30 * 60
TRIGGER_TTL_SECONDS = 3.0
VIEW_STACK_LIMIT = 3
SCHEDULE_MAX_DAYS = 120
APP_TOKEN_METHODS = frozenset({"apps.connections.open"})
NO_AUTH_METHODS = frozenset({"api.test"})


@dataclass
class RecordedCall:
    """One request as the fake saw it, and what it answered."""

    method: str
    args: dict[str, Any]
    token: str | None
    at: float
    status: int = 200
    response: dict[str, Any] = field(default_factory=dict)
    thread: str = ""


@dataclass
class FakeMessage:
    channel: str
    ts: str
    text: str | None
    blocks: list[dict[str, Any]] | None
    thread_ts: str | None = None
    user: str | None = None
    files: list[dict[str, Any]] = field(default_factory=list)
    metadata: dict[str, Any] | None = None
    deleted: bool = False


@dataclass
class FakeEphemeral:
    channel: str
    user: str
    text: str | None
    blocks: list[dict[str, Any]] | None
    thread_ts: str | None
    message_ts: str


@dataclass
class FakeChannel:
    id: str
    name: str
    is_private: bool = False
    is_im: bool = False
    is_member: bool = True
    user: str | None = None
    deleted: bool = False


@dataclass
class Fault:
    status: int = 500
    retry_after: float | None = None
    error: str | None = None
    delay: float = 0.0
    reset: bool = False
    ghost: bool = False
    """Perform the call (the message is posted), then answer the failure anyway."""


@dataclass
class _TokenBucket:
    rate: float
    burst: int
    tokens: float
    updated: float


class SlackErrorResponse(Exception):
    """Raised by method handlers to answer ``{"ok": false, "error": code}``."""

    def __init__(self, error: str, *, status: int = 200, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.status = status
        self.extra = extra


class FakeSlackApi:
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
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._sequence = itertools.count(1)
        self._handlers: dict[str, Callable[[dict[str, Any], str | None], dict[str, Any]]] = {
            "api.test": self._api_test,
            "auth.test": self._auth_test,
            "chat.postMessage": self._chat_post_message,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.update": self._chat_update,
            "chat.delete": self._chat_delete,
            "chat.getPermalink": self._chat_get_permalink,
            "chat.scheduleMessage": self._chat_schedule_message,
            "conversations.open": self._conversations_open,
            "conversations.info": self._conversations_info,
            "conversations.history": self._conversations_history,
            "conversations.replies": self._conversations_replies,
            "conversations.join": self._conversations_join,
            "users.info": self._users_info,
            "users.lookupByEmail": self._users_lookup_by_email,
            "views.publish": self._views_publish,
            "views.open": self._views_open,
            "views.update": self._views_update,
            "views.push": self._views_push,
            "assistant.threads.setStatus": self._assistant_set_status,
            "assistant.threads.setSuggestedPrompts": self._assistant_set_prompts,
            "assistant.threads.setTitle": self._assistant_set_title,
            "files.getUploadURLExternal": self._files_get_upload_url,
            "files.completeUploadExternal": self._files_complete_upload,
            "reactions.add": self._reactions_add,
            "apps.connections.open": self._apps_connections_open,
        }
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
            self._calls: list[RecordedCall] = []
            self._faults: dict[str, deque[Fault]] = defaultdict(deque)
            self._delays: dict[str, float] = {}
            self._channel_buckets: dict[str, _TokenBucket] = {}
            self._channel_rate: tuple[float, int] | None = None
            self.channels: dict[str, FakeChannel] = {}
            self.users: dict[str, dict[str, Any]] = {}
            self.messages_by_channel: dict[str, list[FakeMessage]] = defaultdict(list)
            self.ephemeral: list[FakeEphemeral] = []
            self.home_views: dict[str, dict[str, Any]] = {}
            self.views: dict[str, dict[str, Any]] = {}
            self.view_stacks: dict[str, list[str]] = {}
            self.statuses: list[dict[str, Any]] = []
            self.suggested_prompts: list[dict[str, Any]] = []
            self.scheduled: list[dict[str, Any]] = []
            self.uploads: dict[str, dict[str, Any]] = {}
            self.reactions: list[dict[str, Any]] = []
            self._triggers: dict[str, tuple[float, bool]] = {}
            self._hook_uses: dict[str, list[float]] = defaultdict(list)
            self._hook_created: dict[str, float] = {}
            self.socket_sessions: list[Any] = []
            self.socket_acks: list[dict[str, Any]] = []
            self.socket_mode_enabled = True

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
        hook = f"{label}/{self.team_id}/{next(self._sequence)}/{uuid.uuid4().hex[:12]}"
        with self._lock:
            self._hook_created[hook] = time.time()
        return f"{self.root_url}/hooks/{hook}"

    def issue_trigger_id(self) -> str:
        """A trigger id that expires after 3 s and works once (unknown ids are accepted)."""
        trigger = f"{next(self._sequence)}.{int(time.time())}.{uuid.uuid4().hex[:16]}"
        with self._lock:
            self._triggers[trigger] = (time.time(), False)
        return trigger

    # ------------------------------------------------------------------ state setup
    def add_user(
        self,
        user_id: str,
        name: str | None = None,
        *,
        real_name: str | None = None,
        email: str | None = None,
        tz: str = "UTC",
        is_bot: bool = False,
    ) -> dict[str, Any]:
        user = {
            "id": user_id,
            "team_id": self.team_id,
            "name": name or user_id.lower(),
            "real_name": real_name or name or user_id,
            "tz": tz,
            "is_bot": is_bot,
            "deleted": False,
            "profile": {
                "email": email,
                "real_name": real_name or name or user_id,
                "display_name": name or user_id.lower(),
            },
        }
        with self._lock:
            self.users[user_id] = user
        return user

    def add_channel(
        self,
        channel_id: str,
        name: str | None = None,
        *,
        is_private: bool = False,
        is_member: bool = True,
    ) -> FakeChannel:
        channel = FakeChannel(
            id=channel_id,
            name=name or channel_id.lower(),
            is_private=is_private,
            is_member=is_member,
            is_im=channel_id.startswith("D"),
        )
        with self._lock:
            self.channels[channel_id] = channel
        return channel

    def remove_channel(self, channel_id: str) -> None:
        """From now on the channel answers ``channel_not_found`` (deleted or never shared)."""
        with self._lock:
            self.channels[channel_id] = FakeChannel(
                id=channel_id, name="", is_member=False, deleted=True
            )

    # ------------------------------------------------------------------ faults
    def fail_next(
        self,
        method: str,
        status: int = 429,
        retry_after: float | None = 1,
        *,
        error: str | None = None,
        times: int = 1,
        delay: float = 0.0,
        reset: bool = False,
        ghost: bool = False,
    ) -> None:
        """Make the next ``times`` calls of ``method`` fail.

        ``status=429`` answers ``ratelimited`` with ``Retry-After``; ``status=200`` with
        ``error`` answers ``{"ok": false, "error": error}``; ``reset=True`` drops the
        connection without an answer. ``ghost=True`` carries the call out first (a
        ``chat.postMessage`` really posts) and then answers the failure: the
        ambiguous "500 after Slack already posted". ``method`` may be ``"response_url"``.
        """
        with self._lock:
            for _ in range(times):
                self._faults[method].append(
                    Fault(
                        status=status,
                        retry_after=retry_after if status == 429 else None,
                        error=error,
                        delay=delay,
                        reset=reset,
                        ghost=ghost,
                    )
                )

    def delay(self, method: str, seconds: float) -> None:
        """Answer every call of ``method`` only after ``seconds`` (0 removes the delay)."""
        with self._lock:
            if seconds:
                self._delays[method] = seconds
            else:
                self._delays.pop(method, None)

    def limit_channel_rate(self, per_second: float = 1.0, burst: int = 1) -> None:
        """Slack's ~1 message/second/channel for chat.postMessage, as 429 + Retry-After."""
        with self._lock:
            self._channel_rate = (per_second, burst)
            self._channel_buckets.clear()

    # ------------------------------------------------------------------ inspection
    def requests(self, method: str | None = None) -> list[RecordedCall]:
        """Every recorded request (failed ones too), oldest first."""
        with self._lock:
            return [call for call in self._calls if method is None or call.method == method]

    def calls(self, method: str) -> list[dict[str, Any]]:
        """Arguments of the successful calls of ``method`` (``"response_url"`` for webhooks)."""
        return [
            call.args
            for call in self.requests(method)
            if call.status == 200 and call.response.get("ok", True)
        ]

    def wait_for(
        self,
        method: str,
        predicate: Callable[[dict[str, Any]], bool] | None = None,
        *,
        count: int = 1,
        timeout: float = 5.0,
    ) -> list[dict[str, Any]]:
        """Block until ``count`` successful calls of ``method`` match ``predicate``."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                matching = [
                    args for args in self.calls(method) if predicate is None or predicate(args)
                ]
                if len(matching) >= count:
                    return matching
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = [call.method for call in self._calls]
                    raise AssertionError(
                        f"expected {count} {method} call(s) within {timeout}s, "
                        f"got {len(matching)}; calls seen: {seen}"
                    )
                self._changed.wait(remaining)

    def wait_quiet(self, seconds: float = 0.3, timeout: float = 10.0) -> None:
        """Wait until no call arrived for ``seconds`` (to assert nothing *else* happens)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                last = self._calls[-1].at if self._calls else 0.0
            idle = time.time() - last
            if idle >= seconds:
                return
            time.sleep(seconds - idle)

    def messages(self, channel: str, *, include_replies: bool = True) -> list[FakeMessage]:
        with self._lock:
            return [
                message
                for message in self.messages_by_channel.get(channel, [])
                if not message.deleted and (include_replies or message.thread_ts is None)
            ]

    def thread(self, channel: str, thread_ts: str) -> list[FakeMessage]:
        return [m for m in self.messages(channel) if m.thread_ts == thread_ts]

    def all_messages(self) -> list[FakeMessage]:
        with self._lock:
            return [m for ms in self.messages_by_channel.values() for m in ms if not m.deleted]

    # ------------------------------------------------------------------ dispatch
    def _next_ts(self) -> str:
        return f"{int(time.time())}.{next(self._sequence):06d}"

    def _take_fault(self, method: str) -> Fault | None:
        with self._lock:
            queue = self._faults.get(method)
            return queue.popleft() if queue else None

    def _record(self, call: RecordedCall) -> None:
        with self._changed:
            self._calls.append(call)
            self._changed.notify_all()

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
        delay = self._delays.get(method, 0.0) + (fault.delay if fault else 0.0)
        if delay:
            time.sleep(delay)
        if fault is not None and fault.ghost:
            self._answer(method, args, token, None)  # the work happens; the answer is lost
        if fault is not None and fault.reset:
            call.status = 0
            self._record(call)
            return 0, {}, {}, fault
        status, body, headers = self._answer(method, args, token, fault)
        call.status, call.response = status, body
        self._record(call)
        return status, body, headers, None

    def _answer(
        self, method: str, args: dict[str, Any], token: str | None, fault: Fault | None
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        if fault is not None:
            if fault.status == 429:
                retry = fault.retry_after if fault.retry_after is not None else 1
                return 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(int(retry))}
            if fault.status >= 400:
                return fault.status, {"ok": False, "error": fault.error or "internal_error"}, {}
            return 200, {"ok": False, "error": fault.error or "fatal_error"}, {}
        handler = self._handlers.get(method)
        if handler is None:
            return 200, {"ok": False, "error": "unknown_method"}, {}
        auth_error = self._check_token(method, token)
        if auth_error:
            return 200, {"ok": False, "error": auth_error}, {}
        try:
            with self._lock:
                result = handler(args, token)
        except SlackErrorResponse as refusal:
            headers = {}
            if refusal.status == 429:
                headers["Retry-After"] = str(refusal.extra.pop("retry_after", 1))
            return refusal.status, {"ok": False, "error": refusal.error, **refusal.extra}, headers
        return 200, {"ok": True, **result}, {}

    def _check_token(self, method: str, token: str | None) -> str | None:
        if method in NO_AUTH_METHODS:
            return None
        if not token:
            return "not_authed"
        expected = self.app_token if method in APP_TOKEN_METHODS else self.bot_token
        if token != expected:
            return "invalid_auth"
        return None

    def handle_response_url(self, path: str, payload: dict[str, Any]) -> tuple[int, str]:
        """A POST to a ``response_url``: validated, counted (5 uses / 30 min), recorded."""
        hook = path.removeprefix("/hooks/")
        call = RecordedCall(
            method="response_url", args=dict(payload, hook=hook), token=None, at=time.time()
        )
        fault = self._take_fault("response_url")
        delay = self._delays.get("response_url", 0.0) + (fault.delay if fault else 0.0)
        if delay:
            time.sleep(delay)
        if fault is not None:
            status, text = fault.status, fault.error or "internal_error"
        else:
            status, text = self._accept_response_url(hook, payload)
        call.status = status
        call.response = {"ok": status == 200} if status == 200 else {"ok": False, "error": text}
        self._record(call)
        return status, text

    def _accept_response_url(self, hook: str, payload: dict[str, Any]) -> tuple[int, str]:
        with self._lock:
            created = self._hook_created.setdefault(hook, time.time())
            uses = self._hook_uses[hook]
            if time.time() - created > RESPONSE_URL_TTL_SECONDS:
                return 404, "expired_url"
            if len(uses) >= RESPONSE_URL_MAX_USES:
                return 404, "used_url"
            blocks = payload.get("blocks")
            if blocks is not None and self.validate_blocks and block_problems(blocks):
                return 400, "invalid_blocks"
            if (
                not payload.get("delete_original")
                and not payload.get("text")
                and not payload.get("blocks")
            ):
                return 400, "no_text"
            uses.append(time.time())
            return 200, "ok"

    def handle_upload(self, file_id: str, data: bytes) -> tuple[int, str]:
        with self._lock:
            upload = self.uploads.get(file_id)
            if upload is None:
                return 404, "file_not_found"
            upload["data"] = data
        self._record(
            RecordedCall(
                method="upload",
                args={"file_id": file_id, "size": len(data)},
                token=None,
                at=time.time(),
            )
        )
        return 200, "OK - " + str(len(data))

    # ------------------------------------------------------------------ helpers
    def _channel(self, channel_id: Any, *, for_posting: bool = False) -> FakeChannel:
        if not channel_id or not isinstance(channel_id, str):
            raise SlackErrorResponse("channel_not_found")
        if channel_id.startswith(("U", "W")):  # posting to a user id opens the DM
            channel_id = "D" + channel_id
        channel = self.channels.get(channel_id)
        if channel is not None and channel.deleted:
            raise SlackErrorResponse("channel_not_found")
        if channel is None:
            if self.strict_channels and not channel_id.startswith("D"):
                raise SlackErrorResponse("channel_not_found")
            channel = FakeChannel(
                id=channel_id, name=channel_id.lower(), is_im=channel_id.startswith("D")
            )
            self.channels[channel_id] = channel
        if for_posting and not channel.is_member and not channel.is_im:
            raise SlackErrorResponse("not_in_channel")
        return channel

    def _check_message_content(self, args: dict[str, Any]) -> None:
        blocks = args.get("blocks")
        if (
            not args.get("text")
            and not blocks
            and not args.get("attachments")
            and not args.get("markdown_text")
        ):
            raise SlackErrorResponse("no_text")
        if isinstance(args.get("text"), str) and len(args["text"]) > 40_000:
            raise SlackErrorResponse("msg_too_long")
        if blocks is not None and self.validate_blocks:
            problems = block_problems(blocks, surface="message")
            if problems:
                raise SlackErrorResponse(
                    "invalid_blocks", errors=problems, response_metadata={"messages": problems}
                )

    def _rate_limit(self, channel_id: str) -> None:
        if self._channel_rate is None:
            return
        rate, burst = self._channel_rate
        now = time.monotonic()
        bucket = self._channel_buckets.setdefault(
            channel_id, _TokenBucket(rate=rate, burst=burst, tokens=float(burst), updated=now)
        )
        bucket.tokens = min(bucket.burst, bucket.tokens + (now - bucket.updated) * bucket.rate)
        bucket.updated = now
        if bucket.tokens < 1:
            wait = math.ceil((1 - bucket.tokens) / bucket.rate)
            raise SlackErrorResponse("ratelimited", status=429, retry_after=max(wait, 1))
        bucket.tokens -= 1

    def _find_message(self, channel: str, ts: Any) -> FakeMessage:
        for message in self.messages_by_channel.get(channel, []):
            if message.ts == ts and not message.deleted:
                return message
        raise SlackErrorResponse("message_not_found")

    @staticmethod
    def _message_json(message: FakeMessage, *, with_metadata: bool = True) -> dict[str, Any]:
        data: dict[str, Any] = {
            "type": "message",
            "ts": message.ts,
            "text": message.text or "",
            "user": message.user,
        }
        if message.blocks is not None:
            data["blocks"] = message.blocks
        if message.thread_ts:
            data["thread_ts"] = message.thread_ts
        if message.files:
            data["files"] = message.files
        if message.metadata and with_metadata:
            data["metadata"] = message.metadata
        return data

    def _use_trigger(self, trigger_id: Any) -> None:
        if not trigger_id:
            raise SlackErrorResponse("invalid_arguments")
        issued = self._triggers.get(trigger_id)
        if issued is None:
            return  # not issued by us: accepted (payload fixtures use made-up ids)
        issued_at, used = issued
        if used:
            raise SlackErrorResponse("exchanged_trigger_id")
        if time.time() - issued_at > TRIGGER_TTL_SECONDS:
            raise SlackErrorResponse("expired_trigger_id")
        self._triggers[trigger_id] = (issued_at, True)

    def _check_view(self, view: Any, expected: str | None = None) -> dict[str, Any]:
        if not isinstance(view, dict):
            raise SlackErrorResponse("invalid_arguments", response_metadata={"messages": ["view"]})
        if expected and view.get("type") != expected:
            raise SlackErrorResponse(
                "invalid_arguments",
                response_metadata={"messages": [f"view.type must be {expected}"]},
            )
        problems = view_problems(view) if self.validate_blocks else []
        if problems:
            raise SlackErrorResponse("invalid_arguments", response_metadata={"messages": problems})
        return view

    def _store_view(self, view: dict[str, Any], *, view_id: str | None = None) -> dict[str, Any]:
        view_id = view_id or f"V{next(self._sequence):08d}"
        stored = dict(view, id=view_id, hash=uuid.uuid4().hex[:16], team_id=self.team_id)
        self.views[view_id] = stored
        return stored

    # ------------------------------------------------------------------ methods
    def _api_test(self, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        return {"args": args}

    def _auth_test(self, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        return {
            "url": "https://fake-workspace.slack.com/",
            "team": "Fake Workspace",
            "user": "csbot",
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _chat_post_message(self, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        channel = self._channel(args.get("channel"), for_posting=True)
        self._check_message_content(args)
        self._rate_limit(channel.id)
        message = FakeMessage(
            channel=channel.id,
            ts=self._next_ts(),
            text=args.get("text"),
            blocks=args.get("blocks"),
            thread_ts=args.get("thread_ts") or None,
            user=self.bot_user_id,
            metadata=args.get("metadata"),
        )
        self.messages_by_channel[channel.id].append(message)
        result: dict[str, Any] = {
            "channel": channel.id,
            "ts": message.ts,
            "message": self._message_json(message),
        }
        if args.get("blocks") and not args.get("text"):
            result["response_metadata"] = {"warnings": ["missing_text_in_message"]}
        return result

    def _chat_post_ephemeral(self, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        channel = self._channel(args.get("channel"), for_posting=True)
        if not args.get("user"):
            raise SlackErrorResponse("user_not_found")
        self._check_message_content(args)
        ephemeral = FakeEphemeral(
            channel=channel.id,
            user=str(args["user"]),
            text=args.get("text"),
            blocks=args.get("blocks"),
            thread_ts=args.get("thread_ts") or None,
            message_ts=self._next_ts(),
        )
        self.ephemeral.append(ephemeral)
        return {"message_ts": ephemeral.message_ts}

    def _chat_update(self, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        channel = self._channel(args.get("channel"))
        message = self._find_message(channel.id, args.get("ts"))
        if message.user != self.bot_user_id:
            raise SlackErrorResponse("cant_update_message")
        if "blocks" in args or "text" in args:
            self._check_message_content({**self._message_json(message), **args})
        if "text" in args:
            message.text = args["text"]
        if "blocks" in args:
            message.blocks = args["blocks"]
        return {
            "channel": channel.id,
            "ts": message.ts,
            "text": message.text or "",
            "message": self._message_json(message),
        }

    def _chat_delete(self, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        channel = self._channel(args.get("channel"))
        message = self._find_message(channel.id, args.get("ts"))
        message.deleted = True
        return {"channel": channel.id, "ts": message.ts}

    def _chat_get_permalink(self, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        channel = self._channel(args.get("channel"))
        message = self._find_message(channel.id, args.get("message_ts"))
        ts = message.ts.replace(".", "")
        return {
            "channel": channel.id,
            "permalink": f"https://fake-workspace.slack.com/archives/{channel.id}/p{ts}",
        }

    def _chat_schedule_message(self, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        channel = self._channel(args.get("channel"), for_posting=True)
        self._check_message_content(args)
        try:
            post_at = int(float(args.get("post_at")))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise SlackErrorResponse("invalid_time") from None
        now = time.time()
        if post_at < now:
            raise SlackErrorResponse("time_in_past")
        if post_at > now + SCHEDULE_MAX_DAYS * 86400:
            raise SlackErrorResponse("time_too_far")
        scheduled_id = f"Q{next(self._sequence):08d}"
        self.scheduled.append({"id": scheduled_id, "channel": channel.id, **args})
        return {"channel": channel.id, "scheduled_message_id": scheduled_id, "post_at": post_at}

    def _conversations_open(self, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        users = [u for u in str(args.get("users") or "").split(",") if u]
        if not users:
            raise SlackErrorResponse("users_list_not_supplied")
        channel_id = "D" + users[0] if len(users) == 1 else "G" + "".join(users)[:10]
        channel = self._channel(channel_id)
        channel.is_im = len(users) == 1
        channel.user = users[0]
        return {"channel": {"id": channel.id, "is_im": channel.is_im}}

    def _channel_json(self, channel: FakeChannel) -> dict[str, Any]:
        return {
            "id": channel.id,
            "name": channel.name,
            "is_channel": not channel.is_private and not channel.is_im,
            "is_private": channel.is_private,
            "is_im": channel.is_im,
            "is_member": channel.is_member,
        }

    def _conversations_info(self, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        return {"channel": self._channel_json(self._channel(args.get("channel")))}

    def _conversations_join(self, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        channel = self._channel(args.get("channel"))
        if channel.is_private:
            raise SlackErrorResponse("method_not_supported_for_channel_type")
        channel.is_member = True
        return {"channel": self._channel_json(channel)}

    def _conversations_history(self, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        """Top-level messages, newest first, paged like Slack (``limit``, ``cursor``,
        ``oldest``/``latest`` exclusive bounds; ``metadata`` only with ``include_all_metadata``)."""
        channel = self._channel(args.get("channel"))
        if not channel.is_member and not channel.is_im:
            raise SlackErrorResponse("not_in_channel")
        top = [m for m in self.messages(channel.id) if m.thread_ts in (None, m.ts)]
        return self._page(list(reversed(top)), args)

    def _conversations_replies(self, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        channel = self._channel(args.get("channel"))
        ts = args.get("ts")
        thread = [m for m in self.messages(channel.id) if m.ts == ts or m.thread_ts == ts]
        if not thread:
            raise SlackErrorResponse("thread_not_found")
        return self._page(thread, args)

    def _page(self, messages: list[FakeMessage], args: dict[str, Any]) -> dict[str, Any]:
        oldest = float(args.get("oldest") or 0)
        latest = float(args.get("latest") or math.inf)
        window = [m for m in messages if oldest < float(m.ts) < latest]
        limit = max(1, min(int(args.get("limit") or 100), 1000))
        start = int(args.get("cursor") or 0)
        page = window[start : start + limit]
        with_metadata = str(args.get("include_all_metadata")).lower() in {"true", "1"}
        result: dict[str, Any] = {
            "messages": [self._message_json(m, with_metadata=with_metadata) for m in page],
            "has_more": start + limit < len(window),
        }
        if result["has_more"]:
            result["response_metadata"] = {"next_cursor": str(start + limit)}
        return result

    def _users_info(self, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        user = self.users.get(str(args.get("user")))
        if user is None:
            raise SlackErrorResponse("user_not_found")
        return {"user": user}

    def _users_lookup_by_email(self, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        email = str(args.get("email") or "").lower()
        for user in self.users.values():
            if str(user["profile"].get("email") or "").lower() == email:
                return {"user": user}
        raise SlackErrorResponse("users_not_found")

    def _views_publish(self, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        user_id = args.get("user_id")
        if not user_id:
            raise SlackErrorResponse("invalid_arguments")
        view = self._check_view(args.get("view"), expected="home")
        previous = self.home_views.get(str(user_id))
        if args.get("hash") and previous and previous.get("hash") != args["hash"]:
            raise SlackErrorResponse("hash_conflict")
        stored = self._store_view(view, view_id=previous["id"] if previous else None)
        self.home_views[str(user_id)] = stored
        return {"view": stored}

    def _views_open(self, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        self._use_trigger(args.get("trigger_id"))
        view = self._check_view(args.get("view"), expected="modal")
        stored = self._store_view(view)
        self.view_stacks[stored["id"]] = [stored["id"]]
        return {"view": stored}

    def _views_push(self, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        self._use_trigger(args.get("trigger_id"))
        view = self._check_view(args.get("view"), expected="modal")
        root = next((root for root, stack in self.view_stacks.items() if stack), None)
        stack = self.view_stacks.get(root or "", [])
        if len(stack) >= VIEW_STACK_LIMIT:
            raise SlackErrorResponse("push_limit_reached")
        stored = self._store_view(view)
        stack.append(stored["id"])
        return {"view": stored}

    def _views_update(self, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        view_id = args.get("view_id")
        if not view_id and args.get("external_id"):
            view_id = next(
                (
                    vid
                    for vid, v in self.views.items()
                    if v.get("external_id") == args["external_id"]
                ),
                None,
            )
        if not view_id or view_id not in self.views:
            raise SlackErrorResponse("not_found")
        current = self.views[view_id]
        if args.get("hash") and current.get("hash") != args["hash"]:
            raise SlackErrorResponse("hash_conflict")
        view = self._check_view(args.get("view"), expected=current.get("type"))
        return {"view": self._store_view(view, view_id=view_id)}

    def _assistant_set_status(self, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        if not args.get("channel_id") or not args.get("thread_ts"):
            raise SlackErrorResponse("invalid_arguments")
        if len(args.get("loading_messages") or []) > 10:
            raise SlackErrorResponse("invalid_arguments")
        self.statuses.append(dict(args))
        return {}

    def _assistant_set_prompts(self, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        prompts = args.get("prompts")
        if not args.get("channel_id") or not isinstance(prompts, list) or not prompts:
            raise SlackErrorResponse("invalid_arguments")
        if len(prompts) > 4:
            raise SlackErrorResponse(
                "invalid_arguments",
                response_metadata={"messages": ["[ERROR] must provide at most 4 prompts"]},
            )
        for prompt in prompts:
            if not isinstance(prompt, dict) or not prompt.get("title") or not prompt.get("message"):
                raise SlackErrorResponse("invalid_arguments")
        self.suggested_prompts.append(dict(args))
        return {}

    def _assistant_set_title(self, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        if not args.get("channel_id") or not args.get("thread_ts"):
            raise SlackErrorResponse("invalid_arguments")
        return {}

    def _files_get_upload_url(self, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        if not args.get("filename") or not str(args.get("length") or "").isdigit():
            raise SlackErrorResponse("invalid_arguments")
        file_id = f"F{next(self._sequence):08d}"
        self.uploads[file_id] = {
            "id": file_id,
            "filename": args["filename"],
            "length": int(args["length"]),
            "data": None,
        }
        return {"upload_url": f"{self.root_url}/upload/{file_id}", "file_id": file_id}

    def _files_complete_upload(self, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        files = args.get("files")
        if not isinstance(files, list) or not files:
            raise SlackErrorResponse("invalid_arguments")
        completed = []
        for item in files:
            upload = self.uploads.get(str(item.get("id")))
            if upload is None or upload["data"] is None:
                raise SlackErrorResponse("file_not_found")
            upload["title"] = item.get("title") or upload["filename"]
            completed.append(
                {
                    "id": upload["id"],
                    "name": upload["filename"],
                    "title": upload["title"],
                    "size": len(upload["data"]),
                }
            )
        channel_id = args.get("channel_id") or args.get("channels")
        if channel_id:
            channel = self._channel(channel_id, for_posting=True)
            message = FakeMessage(
                channel=channel.id,
                ts=self._next_ts(),
                text=args.get("initial_comment") or "",
                blocks=None,
                thread_ts=args.get("thread_ts") or None,
                user=self.bot_user_id,
                files=completed,
            )
            self.messages_by_channel[channel.id].append(message)
        return {"files": completed}

    def _reactions_add(self, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        channel = self._channel(args.get("channel"))
        self._find_message(channel.id, args.get("timestamp"))
        self.reactions.append(dict(args))
        return {}

    def _apps_connections_open(self, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        if not self.socket_mode_enabled:
            raise SlackErrorResponse("invalid_auth")
        ticket = uuid.uuid4().hex
        return {"url": f"ws://127.0.0.1:{self.port}/link/?ticket={ticket}"}


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
