"""``response_url`` webhooks under ``/hooks/…``: 5 uses within 30 minutes, like Slack."""

from __future__ import annotations

import time
import uuid
from typing import TYPE_CHECKING, Any

from tests.support.blockcheck import block_problems
from tests.support.fake_slack.state import RecordedCall

if TYPE_CHECKING:
    from tests.support.fake_slack.server import FakeSlackApi

RESPONSE_URL_MAX_USES = 5
RESPONSE_URL_TTL_SECONDS = 30 * 60


def new_response_url(fake: FakeSlackApi, label: str) -> str:
    hook = f"{label}/{fake.team_id}/{next(fake._sequence)}/{uuid.uuid4().hex[:12]}"
    with fake._lock:
        fake._hook_created[hook] = time.time()
    return f"{fake.root_url}/hooks/{hook}"


def handle_response_url(fake: FakeSlackApi, path: str, payload: dict[str, Any]) -> tuple[int, str]:
    """A POST to a ``response_url``: validated, counted, recorded as ``"response_url"``."""
    hook = path.removeprefix("/hooks/")
    call = RecordedCall(
        method="response_url", args=dict(payload, hook=hook), token=None, at=time.time()
    )
    fault = fake._take_fault("response_url")
    fake._wait_before_answering("response_url", fault)
    if fault is not None:
        status, text = fault.status, fault.error or "internal_error"
    else:
        status, text = _accept(fake, hook, payload)
    call.status = status
    call.response = {"ok": status == 200} if status == 200 else {"ok": False, "error": text}
    fake._record(call)
    return status, text


def _accept(fake: FakeSlackApi, hook: str, payload: dict[str, Any]) -> tuple[int, str]:
    with fake._lock:
        created = fake._hook_created.setdefault(hook, time.time())
        uses = fake._hook_uses[hook]
        if time.time() - created > RESPONSE_URL_TTL_SECONDS:
            return 404, "expired_url"
        if len(uses) >= RESPONSE_URL_MAX_USES:
            return 404, "used_url"
        blocks = payload.get("blocks")
        if blocks is not None and fake.validate_blocks and block_problems(blocks):
            return 400, "invalid_blocks"
        if not payload.get("delete_original") and not payload.get("text") and not blocks:
            return 400, "no_text"
        uses.append(time.time())
        return 200, "ok"
