"""A FastAPI site whose comment form spamward guards.

SPAMWARD_URL=http://127.0.0.1:8000 SPAMWARD_API_KEY=sw_... python -m examples.fastapi_site
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import uvicorn
from fastapi import Depends, FastAPI, Request
from fastapi.responses import FileResponse, PlainTextResponse

from spamward.client import Decision, SpamwardClient, WebhookRefused, verify_webhook
from spamward.integrations.fastapi import SpamwardGuard, install
from spamward.integrations.guard import ALTCHA_WIDGET_FILE


def comment_fields(form: Mapping[str, str], request: Request) -> dict[str, str | None]:
    return {"user_id": form.get("user"), "ip": request.client.host if request.client else None,
            "email": form.get("email") or None, "text": form.get("body", "")}  # fmt: skip


def create_app(spamward_url: str, api_key: str, webhook_secret: str = "") -> FastAPI:
    app = FastAPI()
    applied: dict[str, dict[str, object]] = {}  # idempotency key: the webhook, applied once
    install(app)
    guard = SpamwardGuard(SpamwardClient(spamward_url, api_key), "comment", comment_fields)
    saved: list[str] = []

    @app.get("/altcha.js")
    def altcha_widget() -> FileResponse:
        return FileResponse(ALTCHA_WIDGET_FILE, media_type="text/javascript")

    @app.post("/comments", response_class=PlainTextResponse)
    async def add_comment(request: Request, decision: Decision = Depends(guard)) -> str:  # noqa: B008
        saved.append(str((await request.form())["body"]))
        return f"saved ({decision.verdict})"

    @app.post("/spamward", response_class=PlainTextResponse)
    async def webhook(request: Request) -> PlainTextResponse:
        try:
            payload = verify_webhook(webhook_secret, dict(request.headers), await request.body())
        except WebhookRefused:
            return PlainTextResponse("bad signature", 401)
        applied.setdefault(request.headers.get("Spamward-Idempotency-Key", ""), payload)
        return PlainTextResponse("ok")

    app.state.saved, app.state.applied = saved, applied
    return app


if __name__ == "__main__":
    uvicorn.run(create_app(os.environ["SPAMWARD_URL"], os.environ["SPAMWARD_API_KEY"]), port=5001)
