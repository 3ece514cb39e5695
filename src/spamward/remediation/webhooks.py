"""Delivering a signed JSON webhook: to the site, or to the admins' endpoint."""

from __future__ import annotations

from typing import Any

import httpx
import orjson

from spamward.remediation.job import ActionError
from spamward.remediation.signing import EVENT_HEADER, IDEMPOTENCY_HEADER, signed_headers


def deliver(
    http: httpx.Client,
    url: str,
    secret: str,
    event: str,
    payload: dict[str, Any],
    idempotency_key: str,
) -> dict[str, Any]:
    """POST the payload; a network error, a timeout or a non-2xx answer is an ActionError
    (retried with the same idempotency key, so the receiver can drop a repeat)."""
    body = orjson.dumps(payload)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "spamward-webhook/1",
        EVENT_HEADER: event,
        IDEMPOTENCY_HEADER: idempotency_key,
        **signed_headers(secret, body),
    }
    try:
        response = http.post(url, content=body, headers=headers)
    except httpx.HTTPError as error:
        raise ActionError(f"webhook {event} to {url}: {type(error).__name__}: {error}") from error
    if not 200 <= response.status_code < 300:
        raise ActionError(f"webhook {event} to {url}: HTTP {response.status_code}")
    return {"webhook": event, "status_code": response.status_code}
