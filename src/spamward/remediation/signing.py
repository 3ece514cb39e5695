"""Webhook signatures: HMAC-SHA256 over `timestamp.body` with the project's secret.

A site verifies a delivery with `verify_signature` (or the same three lines in any
language, docs/webhooks.md): recompute the HMAC over the `Spamward-Timestamp` header, a
dot and the raw body, compare it in constant time with `Spamward-Signature`, and refuse
timestamps older than five minutes, so a captured delivery cannot be replayed later.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

TIMESTAMP_HEADER = "Spamward-Timestamp"
SIGNATURE_HEADER = "Spamward-Signature"
IDEMPOTENCY_HEADER = "Spamward-Idempotency-Key"
EVENT_HEADER = "Spamward-Event"
TOLERANCE_SECONDS = 300


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "v1=" + mac.hexdigest()


def signed_headers(secret: str, body: bytes, timestamp: int | None = None) -> dict[str, str]:
    stamp = int(time.time()) if timestamp is None else timestamp
    return {TIMESTAMP_HEADER: str(stamp), SIGNATURE_HEADER: signature(secret, stamp, body)}


def verify_signature(
    secret: str,
    timestamp: str,
    signature_header: str,
    body: bytes,
    now: float | None = None,
    tolerance: int = TOLERANCE_SECONDS,
) -> bool:
    """True when the body was signed with the secret less than `tolerance` seconds ago."""
    try:
        stamp = int(timestamp)
    except ValueError:
        return False
    current = time.time() if now is None else now
    if abs(current - stamp) > tolerance:
        return False
    return hmac.compare_digest(signature(secret, stamp, body), signature_header.strip())
