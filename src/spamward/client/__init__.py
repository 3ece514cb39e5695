"""spamward's Python client: ask about a user's action, answer a challenge, check a webhook.

    from spamward.client import SpamwardClient

    with SpamwardClient("http://127.0.0.1:8000", api_key, on_unreachable="allow") as spam:
        decision = spam.decide("post", user_id="u1", ip=request_ip, text=body)
        if not decision.allowed: ...

See docs/client.md.
"""

from spamward.client.asynchronous import AsyncSpamwardClient
from spamward.client.sync import SpamwardClient
from spamward.client.types import Challenge, Decision, Solved, SpamwardError
from spamward.client.webhooks import WebhookRefused, verify_webhook

__all__ = [
    "AsyncSpamwardClient",
    "Challenge",
    "Decision",
    "Solved",
    "SpamwardClient",
    "SpamwardError",
    "WebhookRefused",
    "verify_webhook",
]
