"""Limits on what the API takes in: the request body's size, for every route, enforced
before and while the body is read; and the API requests handled at once."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from spamward.api.errors import error_response, spamward_error_response
from spamward.errors import Overloaded, PayloadTooLarge


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            response = error_response(413, PayloadTooLarge.code, self._message())
            await response(scope, receive, send)
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                raise PayloadTooLarge(self._message())
            return message

        await self.app(scope, counting_receive, send)

    def _message(self) -> str:
        return f"request body is over {self.max_bytes} bytes"


class LoadShedMiddleware:
    """At most `max_in_flight` API requests handled at once by this process: past that, a
    503 with Retry-After at once, so a flood is refused quickly instead of queueing until
    every request times out. The dashboard, /healthz and /metrics are not counted."""

    def __init__(self, app: ASGIApp, max_in_flight: int) -> None:
        self.app = app
        self.max_in_flight = max_in_flight
        self.in_flight = 0  # one event loop per process: no lock needed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/v1/"):
            await self.app(scope, receive, send)
            return
        if self.in_flight >= self.max_in_flight:
            refused = Overloaded("too many requests at once; retry shortly", retry_after=1)
            await spamward_error_response(refused)(scope, receive, send)
            return
        self.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1
