"""``files.*``: the two-step external upload ``files_upload_v2`` performs.

``files.getUploadURLExternal`` hands out ``/upload/<id>``, the client POSTs the bytes
there (``handle_upload``), then ``files.completeUploadExternal`` shares them.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from tests.support.fake_slack.faults import SlackErrorResponse
from tests.support.fake_slack.state import FakeMessage, RecordedCall

if TYPE_CHECKING:
    from tests.support.fake_slack.server import FakeSlackApi, MethodHandler


def get_upload_url(fake: FakeSlackApi, args: dict[str, Any]) -> dict[str, Any]:
    if not args.get("filename") or not str(args.get("length") or "").isdigit():
        raise SlackErrorResponse("invalid_arguments")
    file_id = f"F{next(fake._sequence):08d}"
    fake.uploads[file_id] = {
        "id": file_id,
        "filename": args["filename"],
        "length": int(args["length"]),
        "data": None,
    }
    return {"upload_url": f"{fake.root_url}/upload/{file_id}", "file_id": file_id}


def handle_upload(fake: FakeSlackApi, file_id: str, data: bytes) -> tuple[int, str]:
    """The bytes POSTed to an upload URL; recorded as method ``"upload"``."""
    with fake._lock:
        upload = fake.uploads.get(file_id)
        if upload is None:
            return 404, "file_not_found"
        upload["data"] = data
    fake._record(
        RecordedCall(
            method="upload",
            args={"file_id": file_id, "size": len(data)},
            token=None,
            at=time.time(),
        )
    )
    return 200, "OK - " + str(len(data))


def complete_upload(fake: FakeSlackApi, args: dict[str, Any]) -> dict[str, Any]:
    files = args.get("files")
    if not isinstance(files, list) or not files:
        raise SlackErrorResponse("invalid_arguments")
    completed = []
    for item in files:
        upload = fake.uploads.get(str(item.get("id")))
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
        channel = fake._channel(channel_id, for_posting=True)
        message = FakeMessage(
            channel=channel.id,
            ts=fake._next_ts(),
            text=args.get("initial_comment") or "",
            blocks=None,
            thread_ts=args.get("thread_ts") or None,
            user=fake.bot_user_id,
            files=completed,
        )
        fake.messages_by_channel[channel.id].append(message)
    return {"files": completed}


METHODS: dict[str, MethodHandler] = {
    "files.getUploadURLExternal": get_upload_url,
    "files.completeUploadExternal": complete_upload,
}
