"""The asyncio client, for FastAPI and other async sites: the same calls as the blocking
one (sync.py), awaited."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from spamward.client.calls import (
    Retry,
    Unreachable,
    auth_headers,
    decision_of,
    event_body,
    outcome,
    solve_path_and_body,
    solved_of,
)
from spamward.client.types import Decision, OnUnreachable, Solved


class AsyncSpamwardClient:
    def __init__(
        self, base_url: str, api_key: str, *, timeout: float = 2.0, retries: int = 2,
        on_unreachable: OnUnreachable = "allow",
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:  # fmt: skip
        self.on_unreachable = on_unreachable
        self._attempts = retries + 1
        self._http = httpx.AsyncClient(base_url=base_url, timeout=timeout, transport=transport,
                                       headers=auth_headers(api_key))  # fmt: skip

    async def decide(self, event_type: str, **fields: Any) -> Decision:
        found = await self._call("POST", "/v1/events", event_body(event_type, **fields))
        return decision_of(found, self.on_unreachable)

    async def solve_challenge(
        self, challenge_id: str, *, solution: str | None = None, code: str | None = None
    ) -> Solved:
        path, answer = solve_path_and_body(challenge_id, solution, code)
        return solved_of(await self._call("POST", path, answer))

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> AsyncSpamwardClient:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.aclose()

    async def _call(self, method: str, path: str, body: Any) -> dict[str, Any] | Unreachable:
        for attempt in range(self._attempts):
            try:
                answer: httpx.Response | httpx.HTTPError = await self._http.request(
                    method, path, json=body
                )
            except httpx.HTTPError as error:
                answer = error
            found = outcome(answer, attempt, self._attempts)
            if not isinstance(found, Retry):
                return found
            await asyncio.sleep(found.after_s)
        raise AssertionError("unreachable: the last attempt never retries")
