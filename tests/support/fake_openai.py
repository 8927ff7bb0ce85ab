"""A local OpenAI-compatible HTTP server for tests: the real ``openai`` client talks to it.

Only the HTTP boundary is faked. csbot's own code (langchain's ``ChatOpenAI`` over the
``openai`` SDK, retries, timeouts, parsing) runs exactly as it would against OpenAI,
vLLM or Ollama. Replies are scripted per request, in order:

* a ``str`` is returned as the assistant message;
* a callable receives the parsed request body and returns the assistant message, so a
  test can model a model (for example one that obeys any instruction it can see);
* :class:`ServerError` answers with an HTTP error status;
* :class:`Delayed` waits before answering (to trigger the client's timeout).

Every request is recorded, and every e-mail address or phone number that reaches the
server is recorded in :attr:`FakeOpenAI.pii_seen`, so privacy tests can assert that
nothing personal left the building.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

EMAIL_PATTERN = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
PHONE_PATTERN = re.compile(r"(?<![\w])\+?\(?\d[\d\s().-]{7,}\d(?![\w])")


@dataclass(frozen=True)
class ServerError:
    """Answer with an HTTP error instead of a completion."""

    status: int = 500
    message: str = "the fake model is down"


@dataclass(frozen=True)
class Delayed:
    """Wait ``seconds`` before giving ``reply`` (long enough to trip a client timeout)."""

    seconds: float
    reply: Reply = "late reply"


@dataclass(frozen=True)
class ToolCall:
    """Answer with a function call (``tool_calls``) instead of text, as tool-calling models do."""

    name: str
    arguments: dict[str, Any]


Reply = str | Callable[[dict[str, Any]], str] | ServerError | Delayed | ToolCall


@dataclass
class RecordedRequest:
    path: str
    body: dict[str, Any]
    headers: dict[str, str]

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list(self.body.get("messages", []))

    @property
    def text(self) -> str:
        """Every message content joined: what the model would have read."""
        return "\n".join(str(message.get("content", "")) for message in self.messages)


@dataclass
class FakeOpenAI:
    """A scripted chat-completions server on 127.0.0.1 and a free port."""

    model: str = "fake-gpt"
    default: Reply | None = None
    requests: list[RecordedRequest] = field(default_factory=list)
    pii_seen: list[str] = field(default_factory=list)
    _script: list[Reply] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _closing: threading.Event = field(default_factory=threading.Event)
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    # --- lifecycle ------------------------------------------------------------------
    def start(self) -> FakeOpenAI:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        server.daemon_threads = True
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._closing.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """What ``OPENAI_BASE_URL`` should be set to (the SDK appends the endpoint)."""
        assert self._server is not None, "server not started"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    # --- scripting ------------------------------------------------------------------
    def script(self, *replies: Reply) -> None:
        """Queue replies, used one per request in order."""
        with self._lock:
            self._script.extend(replies)

    @property
    def pending(self) -> int:
        with self._lock:
            return len(self._script)

    def chat_requests(self) -> list[RecordedRequest]:
        return [request for request in self.requests if request.path.endswith("/chat/completions")]

    # --- serving --------------------------------------------------------------------
    def _next_reply(self) -> Reply | None:
        with self._lock:
            if self._script:
                return self._script.pop(0)
            return self.default

    def _record(self, path: str, body: dict[str, Any], headers: dict[str, str]) -> None:
        request = RecordedRequest(path=path, body=body, headers=headers)
        found = EMAIL_PATTERN.findall(request.text) + [
            match for match in PHONE_PATTERN.findall(request.text) if _digit_count(match) >= 9
        ]
        with self._lock:
            self.requests.append(request)
            self.pii_seen.extend(found)

    def _completion(self, content: str, body: dict[str, Any]) -> dict[str, Any]:
        prompt_chars = sum(len(str(message.get("content", ""))) for message in body["messages"])
        prompt_tokens = max(1, prompt_chars // 4)
        completion_tokens = max(1, len(content) // 4)
        return {
            "id": f"chatcmpl-fake-{next(self._ids)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": str(body.get("model") or self.model),
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content},
                    "finish_reason": "stop",
                    "logprobs": None,
                }
            ],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
        }

    def _tool_call_completion(self, call: ToolCall, body: dict[str, Any]) -> dict[str, Any]:
        completion = self._completion("", body)
        completion["choices"][0]["message"] = {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": f"call_fake_{next(self._ids)}",
                    "type": "function",
                    "function": {"name": call.name, "arguments": json.dumps(call.arguments)},
                }
            ],
        }
        completion["choices"][0]["finish_reason"] = "tool_calls"
        return completion


def _digit_count(text: str) -> int:
    return sum(character.isdigit() for character in text)


def _handler_for(fake: FakeOpenAI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib name
            """Silence the default stderr access log."""

        def do_POST(self) -> None:  # noqa: N802 - stdlib naming
            length = int(self.headers.get("content-length") or 0)
            raw = self.rfile.read(length) if length else b"{}"
            try:
                body = json.loads(raw)
            except json.JSONDecodeError:
                self._send(400, {"error": {"message": "body is not JSON", "type": "invalid"}})
                return
            fake._record(
                self.path, body, {key.lower(): value for key, value in self.headers.items()}
            )
            if not self.path.endswith("/chat/completions"):
                self._send(404, {"error": {"message": f"no route {self.path}", "type": "invalid"}})
                return
            self._answer(fake._next_reply(), body)

        def _answer(self, reply: Reply | None, body: dict[str, Any]) -> None:
            if reply is None:
                self._send(500, {"error": {"message": "no scripted reply left", "type": "server"}})
                return
            if isinstance(reply, Delayed):
                if fake._closing.wait(reply.seconds):
                    return
                self._answer(reply.reply, body)
                return
            if isinstance(reply, ToolCall):
                self._send(200, fake._tool_call_completion(reply, body))
                return
            if isinstance(reply, ServerError):
                self._send(reply.status, {"error": {"message": reply.message, "type": "server"}})
                return
            content = reply(body) if callable(reply) else reply
            self._send(200, fake._completion(content, body))

        def _send(self, status: int, payload: dict[str, Any]) -> None:
            data = json.dumps(payload).encode()
            try:
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout); nothing left to tell it

    return Handler


@pytest.fixture
def fake_openai() -> Iterator[FakeOpenAI]:
    """A running fake OpenAI server for one test."""
    with FakeOpenAI() as server:
        yield server


def json_reply(subject: str, body: str) -> str:
    """The reply shape csbot asks models for."""
    return json.dumps({"subject": subject, "body": body})
