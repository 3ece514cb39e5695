"""A Flask site whose comment form spamward guards.

SPAMWARD_URL=http://127.0.0.1:8000 SPAMWARD_API_KEY=sw_... python -m examples.flask_site
"""

from __future__ import annotations

import os

from flask import Flask, Request, Response, g, request, send_file

from spamward.client import SpamwardClient, WebhookRefused, verify_webhook
from spamward.integrations.flask import protect
from spamward.integrations.guard import ALTCHA_WIDGET_FILE


def comment_fields(request: Request) -> dict[str, str | None]:
    form = request.form
    return {"user_id": form.get("user"), "ip": request.remote_addr,
            "email": form.get("email") or None, "text": form.get("body", "")}  # fmt: skip


def create_app(spamward_url: str, api_key: str, webhook_secret: str = "") -> Flask:
    app = Flask(__name__)
    applied: dict[str, dict[str, object]] = {}  # idempotency key: the webhook, applied once
    spamward = SpamwardClient(spamward_url, api_key, on_unreachable="allow")
    saved: list[str] = []

    @app.get("/")
    def form() -> str:
        return ('<!doctype html><title>Comments</title><form method="post" action="/comments">'
                '<input name="user" value="reader"><textarea name="body"></textarea>'
                "<button>Post</button></form>")  # fmt: skip

    @app.get("/altcha.js")
    def altcha_widget() -> Response:
        return send_file(ALTCHA_WIDGET_FILE, mimetype="text/javascript")

    @app.post("/comments")
    @protect(spamward, "comment", comment_fields)
    def add_comment() -> tuple[str, int]:
        saved.append(request.form["body"])
        return f"saved ({g.spamward.verdict})", 200

    @app.post("/spamward")
    def webhook() -> tuple[str, int]:
        try:
            payload = verify_webhook(webhook_secret, dict(request.headers), request.get_data())
        except WebhookRefused:
            return "bad signature", 401
        applied.setdefault(request.headers.get("Spamward-Idempotency-Key", ""), payload)
        return "ok", 200

    app.config["saved"], app.config["applied"] = saved, applied
    return app


if __name__ == "__main__":
    create_app(os.environ["SPAMWARD_URL"], os.environ["SPAMWARD_API_KEY"]).run(port=5000)
