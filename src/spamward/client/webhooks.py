"""Checking a webhook spamward sent, in one call, whatever the framework."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from spamward.remediation.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify_signature


class WebhookRefused(Exception):
    """The request is not a webhook spamward signed with this secret, recently."""


def verify_webhook(secret: str, headers: Mapping[str, str], body: bytes) -> dict[str, Any]:
    """The webhook's JSON when its signature checks (and it is under 5 minutes old); else
    WebhookRefused. Pass the raw body, before any JSON parsing."""
    found = {name.lower(): value for name, value in headers.items()}
    timestamp = found.get(TIMESTAMP_HEADER.lower(), "")
    signature = found.get(SIGNATURE_HEADER.lower(), "")
    if not verify_signature(secret, timestamp, signature, body):
        raise WebhookRefused("bad or old signature")
    data: dict[str, Any] = json.loads(body)
    return data
