"""A site's webhook endpoint (Flask): checks spamward's signature, applies each action once
by its idempotency key, and appends what it applied to a file, one JSON line each.

    SPAMWARD_WEBHOOK_SECRET=whsec_... python -m examples.webhook_receiver 5050 received.jsonl
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from flask import Flask, request

from spamward.client import WebhookRefused, verify_webhook


def create_app(secret: str, log: Path) -> Flask:
    app = Flask(__name__)
    applied: set[str] = set()

    @app.post("/spamward")
    def receive() -> tuple[str, int]:
        try:
            payload = verify_webhook(secret, dict(request.headers), request.get_data())
        except WebhookRefused:
            return "bad signature", 401
        key = request.headers.get("Spamward-Idempotency-Key", "")
        if key not in applied:  # a retried delivery is acknowledged, not applied again
            applied.add(key)
            with log.open("a", encoding="utf-8") as lines:
                lines.write(json.dumps(payload) + "\n")
        return "ok", 200

    return app


if __name__ == "__main__":
    port, log = int(sys.argv[1]), Path(sys.argv[2])
    create_app(os.environ["SPAMWARD_WEBHOOK_SECRET"], log).run(port=port)
