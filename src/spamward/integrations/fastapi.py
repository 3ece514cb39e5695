"""FastAPI: a dependency that answers for spamward before the endpoint runs.

    guard = SpamwardGuard(spamward, "comment", lambda form, request: {"text": form["body"]})

    @app.post("/comments")
    def add_comment(decision: Decision = Depends(guard)): ...

A sync dependency: FastAPI runs it in its thread pool, so the blocking client is fine.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from fastapi import HTTPException, Request
from starlette.concurrency import run_in_threadpool

from spamward.client.sync import SpamwardClient
from spamward.client.types import Decision
from spamward.integrations.guard import check

Fields = Callable[[Mapping[str, str], Request], dict[str, Any]]


class SpamwardRefusal(HTTPException):
    """Raised with the page to answer; `install(app)` renders it as it is."""

    def __init__(self, status: int, headers: dict[str, str], body: str) -> None:
        super().__init__(status, body, headers)
        self.body = body


class SpamwardGuard:
    def __init__(
        self, client: SpamwardClient, event_type: str, fields: Fields,
        widget_url: str = "/altcha.js",
    ) -> None:  # fmt: skip
        self.client, self.event_type, self.fields = client, event_type, fields
        self.widget_url = widget_url

    async def __call__(self, request: Request) -> Decision:
        form = {name: str(value) for name, value in (await request.form()).items()}
        outcome = await run_in_threadpool(
            check,
            self.client,
            self.event_type,
            self.fields(form, request),
            form,
            self.widget_url,
        )
        if not outcome.proceed:
            raise SpamwardRefusal(outcome.status, outcome.headers, outcome.body)
        return outcome.decision


def install(app: Any) -> None:
    """Answer refusals with their page (a challenge page is HTML, not FastAPI's JSON)."""
    from starlette.responses import Response  # noqa: PLC0415

    async def refused(request: Request, error: Exception) -> Response:
        assert isinstance(error, SpamwardRefusal)
        return Response(error.body, error.status_code, error.headers or {})

    app.add_exception_handler(SpamwardRefusal, refused)
