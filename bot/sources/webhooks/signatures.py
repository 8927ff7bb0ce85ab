"""Each source's webhook signature, checked on the raw body before anything is parsed.

* Stripe: ``Stripe-Signature`` (``t=…,v1=…``) verified by the ``stripe`` library
  (``stripe.WebhookSignature.verify_header``) with a 300 s tolerance.
* Zendesk: ``X-Zendesk-Webhook-Signature`` = base64(HMAC-SHA256(secret, timestamp + body))
  with ``X-Zendesk-Webhook-Signature-Timestamp`` (ISO 8601); stale after 5 minutes.
* Intercom: ``X-Hub-Signature: sha1=<hex HMAC-SHA1(client_secret, body)>``. Intercom signs
  no timestamp, so recency is the signed body's ``created_at`` (checked in :mod:`.events`).

Every failure is a 401 :class:`~bot.slack.request_checks.Refusal` naming the header.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from collections.abc import Mapping
from datetime import datetime

from bot.slack.request_checks import Refusal

MAX_AGE_SECONDS = 300
"""Five minutes, as Slack's and Stripe's own replay windows."""

STRIPE_HEADER = "Stripe-Signature"
ZENDESK_SIGNATURE = "X-Zendesk-Webhook-Signature"
ZENDESK_TIMESTAMP = "X-Zendesk-Webhook-Signature-Timestamp"
INTERCOM_SIGNATURE = "X-Hub-Signature"

_INTERCOM = re.compile(r"sha1=[0-9a-f]{40}")


def check_stripe(
    headers: Mapping[str, str], raw_body: bytes, *, secret: str, now: float
) -> Refusal | None:
    """``None`` when Stripe signed these bytes less than 300 s ago (``now`` is unused by
    the library, which reads the wall clock itself; it stays for a uniform signature)."""
    import stripe

    header = headers.get(STRIPE_HEADER.lower())
    if not header:
        return Refusal(401, "signature_missing", STRIPE_HEADER)
    try:
        stripe.WebhookSignature.verify_header(raw_body, header, secret, tolerance=MAX_AGE_SECONDS)
    except UnicodeDecodeError:
        return Refusal(401, "signature_mismatch", STRIPE_HEADER)
    except stripe.SignatureVerificationError as error:
        if "tolerance" in str(error):
            return Refusal(401, "timestamp_stale", STRIPE_HEADER)
        return Refusal(401, "signature_mismatch", STRIPE_HEADER)
    return None


def check_zendesk(
    headers: Mapping[str, str], raw_body: bytes, *, secret: str, now: float
) -> Refusal | None:
    """``None`` when Zendesk signed ``timestamp + body`` within the last five minutes."""
    stamp = headers.get(ZENDESK_TIMESTAMP.lower())
    signature = headers.get(ZENDESK_SIGNATURE.lower())
    if not stamp:
        return Refusal(401, "timestamp_missing", ZENDESK_TIMESTAMP)
    try:
        sent = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return Refusal(401, "timestamp_invalid", ZENDESK_TIMESTAMP)
    if sent.tzinfo is None:
        return Refusal(401, "timestamp_invalid", ZENDESK_TIMESTAMP)
    if abs(now - sent.timestamp()) > MAX_AGE_SECONDS:
        return Refusal(401, "timestamp_stale", ZENDESK_TIMESTAMP)
    if not signature:
        return Refusal(401, "signature_missing", ZENDESK_SIGNATURE)
    try:
        given = base64.b64decode(signature, validate=True)
    except (binascii.Error, ValueError):
        return Refusal(401, "signature_malformed", ZENDESK_SIGNATURE)
    expected = hmac.new(
        secret.encode("utf-8"), stamp.encode("utf-8") + raw_body, hashlib.sha256
    ).digest()
    if not hmac.compare_digest(expected, given):
        return Refusal(401, "signature_mismatch", ZENDESK_SIGNATURE)
    return None


def check_intercom(
    headers: Mapping[str, str], raw_body: bytes, *, secret: str, now: float
) -> Refusal | None:
    """``None`` when Intercom's HMAC-SHA1 of exactly these bytes matches."""
    signature = headers.get(INTERCOM_SIGNATURE.lower())
    if not signature:
        return Refusal(401, "signature_missing", INTERCOM_SIGNATURE)
    if not _INTERCOM.fullmatch(signature):
        return Refusal(401, "signature_malformed", INTERCOM_SIGNATURE)
    expected = "sha1=" + hmac.new(secret.encode("utf-8"), raw_body, hashlib.sha1).hexdigest()
    if not hmac.compare_digest(expected, signature):
        return Refusal(401, "signature_mismatch", INTERCOM_SIGNATURE)
    return None
