"""A FastAPI site whose comment form spamward guards.

SPAMWARD_URL=http://127.0.0.1:8000 SPAMWARD_API_KEY=sw_... python -m examples.fastapi_site
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import uvicorn
from fastapi import Depends, FastAPI, Request
from fastapi.responses import FileResponse, PlainTextResponse

from spamward.client import Decision, SpamwardClient
from spamward.integrations.fastapi import SpamwardGuard, install
from spamward.integrations.guard import ALTCHA_WIDGET_FILE


def comment_fields(form: Mapping[str, str], request: Request) -> dict[str, str | None]:
    return {"user_id": form.get("user"), "ip": request.client.host if request.client else None,
            "email": form.get("email") or None, "text": form.get("body", "")}  # fmt: skip


def create_app(spamward_url: str, api_key: str) -> FastAPI:
    app = FastAPI()
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

    app.state.saved = saved
    return app


if __name__ == "__main__":
    uvicorn.run(create_app(os.environ["SPAMWARD_URL"], os.environ["SPAMWARD_API_KEY"]), port=5001)
