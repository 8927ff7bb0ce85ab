"""``users.*``: look people up by id or e-mail (users added with ``fake.add_user``).

No product code calls these today; the harness tests keep them as the fake's
form-argument and error-code examples.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tests.support.fake_slack.faults import SlackErrorResponse

if TYPE_CHECKING:
    from tests.support.fake_slack.server import FakeSlackApi, MethodHandler


def info(fake: FakeSlackApi, args: dict[str, Any]) -> dict[str, Any]:
    user = fake.users.get(str(args.get("user")))
    if user is None:
        raise SlackErrorResponse("user_not_found")
    return {"user": user}


def lookup_by_email(fake: FakeSlackApi, args: dict[str, Any]) -> dict[str, Any]:
    email = str(args.get("email") or "").lower()
    for user in fake.users.values():
        if str(user["profile"].get("email") or "").lower() == email:
            return {"user": user}
    raise SlackErrorResponse("users_not_found")


METHODS: dict[str, MethodHandler] = {
    "users.info": info,
    "users.lookupByEmail": lookup_by_email,
}
