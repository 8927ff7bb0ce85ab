"""The Socket Mode half of the fake: a tiny WebSocket endpoint behind ``apps.connections.open``.

``slack_sdk``'s built-in Socket Mode client connects without TLS to any port but 443,
so the fake's HTTP server can upgrade ``GET /link`` to a WebSocket, say ``hello``,
push envelopes (``events_api``, ``slash_commands``, ``interactive``) and record the
client's acks by ``envelope_id`` — the same wire shapes as Slack (modelled on the
python-slack-sdk test server, not copied).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import socket
import struct
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.support.fake_slack import FakeSlackApi

_WEBSOCKET_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
OP_TEXT, OP_CLOSE, OP_PING, OP_PONG = 0x1, 0x8, 0x9, 0xA


class SocketModeSession:
    """One client connection: send frames to it, read its acks and pings."""

    def __init__(self, fake: FakeSlackApi, handler: BaseHTTPRequestHandler) -> None:
        self.fake = fake
        self.connection: socket.socket = handler.connection
        self.rfile = handler.rfile
        self.wfile = handler.wfile
        self.send_lock = threading.Lock()
        self.open = True

    def send_json(self, data: dict[str, Any]) -> None:
        self._send_frame(OP_TEXT, json.dumps(data).encode("utf-8"))

    def close(self) -> None:
        if not self.open:
            return
        self.open = False
        with contextlib.suppress(OSError):
            self._send_frame(OP_CLOSE, struct.pack("!H", 1000))
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def _send_frame(self, opcode: int, payload: bytes) -> None:
        header = bytes([0x80 | opcode])
        length = len(payload)
        if length < 126:
            header += bytes([length])
        elif length < 1 << 16:
            header += bytes([126]) + struct.pack("!H", length)
        else:
            header += bytes([127]) + struct.pack("!Q", length)
        with self.send_lock:
            self.wfile.write(header + payload)
            self.wfile.flush()

    def _read_exact(self, size: int) -> bytes:
        data = self.rfile.read(size)
        if data is None or len(data) < size:
            raise ConnectionError("socket closed")
        return bytes(data)

    def read_frame(self) -> tuple[int, bytes]:
        first, second = self._read_exact(2)
        opcode = first & 0x0F
        length = second & 0x7F
        if length == 126:
            (length,) = struct.unpack("!H", self._read_exact(2))
        elif length == 127:
            (length,) = struct.unpack("!Q", self._read_exact(8))
        mask = self._read_exact(4) if second & 0x80 else b""
        payload = self._read_exact(length)
        if mask:
            payload = bytes(byte ^ mask[index % 4] for index, byte in enumerate(payload))
        return opcode, payload

    def serve(self) -> None:
        self.send_json(
            {
                "type": "hello",
                "num_connections": 1,
                "debug_info": {"host": "fake-slack", "approximate_connection_time": 18060},
                "connection_info": {"app_id": "A111"},
            }
        )
        while self.open:
            try:
                opcode, payload = self.read_frame()
            except (ConnectionError, OSError, ValueError):
                break
            if opcode == OP_PING:
                self._send_frame(OP_PONG, payload)
            elif opcode == OP_CLOSE:
                break
            elif opcode == OP_TEXT:
                self._record_ack(payload)
        self.open = False

    def _record_ack(self, payload: bytes) -> None:
        try:
            message = json.loads(payload.decode("utf-8"))
        except ValueError:
            return
        if isinstance(message, dict) and message.get("envelope_id"):
            with self.fake._changed:
                self.fake.socket_acks.append(dict(message, at=time.time()))
                self.fake._changed.notify_all()


def serve_socket_mode_connection(fake: FakeSlackApi, handler: BaseHTTPRequestHandler) -> None:
    """Upgrade the request to a WebSocket and serve it until either side closes."""
    key = handler.headers.get("Sec-WebSocket-Key")
    if not key or (handler.headers.get("Upgrade") or "").lower() != "websocket":
        handler.send_response(400)
        handler.send_header("Content-Length", "0")
        handler.end_headers()
        return
    accept = base64.b64encode(hashlib.sha1((key + _WEBSOCKET_GUID).encode()).digest()).decode()
    handler.wfile.write(
        (
            "HTTP/1.1 101 Switching Protocols\r\n"
            "Upgrade: websocket\r\n"
            "Connection: Upgrade\r\n"
            f"Sec-WebSocket-Accept: {accept}\r\n\r\n"
        ).encode()
    )
    handler.wfile.flush()
    session = SocketModeSession(fake, handler)
    with fake._changed:
        fake.socket_sessions.append(session)
        fake._changed.notify_all()
    try:
        session.serve()
    finally:
        handler.close_connection = True


def wait_for_socket_session(fake: FakeSlackApi, timeout: float = 10.0) -> SocketModeSession:
    deadline = time.monotonic() + timeout
    with fake._changed:
        while True:
            live = [session for session in fake.socket_sessions if session.open]
            if live:
                return live[-1]
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError("no Socket Mode client connected")
            fake._changed.wait(remaining)


def send_envelope(
    fake: FakeSlackApi,
    envelope_type: str,
    payload: dict[str, Any],
    *,
    retry_attempt: int = 0,
    retry_reason: str = "",
    timeout: float = 10.0,
) -> str:
    """Push one envelope to the connected client; returns its ``envelope_id``."""
    session = wait_for_socket_session(fake, timeout)
    envelope_id = str(uuid.uuid4())
    envelope: dict[str, Any] = {
        "envelope_id": envelope_id,
        "type": envelope_type,
        "payload": payload,
        "accepts_response_payload": envelope_type != "events_api",
    }
    if envelope_type == "events_api":
        envelope["retry_attempt"] = retry_attempt
        envelope["retry_reason"] = retry_reason
    session.send_json(envelope)
    return envelope_id


def wait_for_ack(fake: FakeSlackApi, envelope_id: str, timeout: float = 5.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    with fake._changed:
        while True:
            for ack in fake.socket_acks:
                if ack.get("envelope_id") == envelope_id:
                    return ack
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"envelope {envelope_id} was not acknowledged")
            fake._changed.wait(remaining)


def close_all_sessions(fake: FakeSlackApi) -> None:
    for session in list(fake.socket_sessions):
        session.close()
