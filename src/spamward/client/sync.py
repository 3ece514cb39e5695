"""The blocking client, for Django, Flask and scripts."""

from __future__ import annotations

import time
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


class SpamwardClient:
    """Ask spamward about a user's action.

    When spamward cannot be reached (after `retries` more tries, each within `timeout`
    seconds), `decide` answers `on_unreachable` ("allow": fail open, "block": fail closed)
    with `unavailable=True`, so the site keeps working either way."""

    def __init__(
        self, base_url: str, api_key: str, *, timeout: float = 2.0, retries: int = 2,
        on_unreachable: OnUnreachable = "allow", transport: httpx.BaseTransport | None = None,
    ) -> None:  # fmt: skip
        self.on_unreachable = on_unreachable
        self._attempts = retries + 1
        self._http = httpx.Client(base_url=base_url, timeout=timeout, transport=transport,
                                  headers=auth_headers(api_key))  # fmt: skip

    def decide(self, event_type: str, **fields: Any) -> Decision:
        """Judge an action: `decide("post", user_id="u1", ip=..., text=...)`."""
        found = self._call("POST", "/v1/events", event_body(event_type, **fields))
        return decision_of(found, self.on_unreachable)

    def solve_challenge(
        self, challenge_id: str, *, solution: str | None = None, code: str | None = None
    ) -> Solved:
        """The token for a challenge's answer (an ALTCHA payload or an e-mail code)."""
        return solved_of(self._call("POST", *solve_path_and_body(challenge_id, solution, code)))

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> SpamwardClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _call(self, method: str, path: str, body: Any) -> dict[str, Any] | Unreachable:
        for attempt in range(self._attempts):
            try:
                answer: httpx.Response | httpx.HTTPError = self._http.request(
                    method, path, json=body
                )
            except httpx.HTTPError as error:
                answer = error
            found = outcome(answer, attempt, self._attempts)
            if not isinstance(found, Retry):
                return found
            time.sleep(found.after_s)
        raise AssertionError("unreachable: the last attempt never retries")
