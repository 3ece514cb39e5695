"""What the sync and async clients share: the request bodies, and what to do with each
answer (use it, retry it, or call spamward unreachable), so each client only loops."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any

import httpx

from spamward.client.types import Decision, OnUnreachable, Solved, SpamwardError

RETRIED_STATUSES = frozenset({429, 502, 503, 504})
BACKOFF_S = 0.1  # doubled per attempt
LONGEST_WAIT_S = 2.0  # a Retry-After longer than this is not waited for inside a request


@dataclass(frozen=True, slots=True)
class Retry:
    after_s: float


@dataclass(frozen=True, slots=True)
class Unreachable:
    why: str


def auth_headers(api_key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_key}"}


def solve_path_and_body(
    challenge_id: str, solution: str | None, code: str | None
) -> tuple[str, dict[str, str | None]]:
    answer: dict[str, str | None] = (
        {"solution": solution} if solution is not None else {"code": code}
    )
    return f"/v1/challenges/{challenge_id}/solve", answer


def decision_of(found: dict[str, Any] | Unreachable, on_unreachable: OnUnreachable) -> Decision:
    """The answer's decision, or the fail-open/closed one when spamward did not answer."""
    if isinstance(found, Unreachable):
        return Decision.unreachable(on_unreachable, found.why)
    return Decision.from_json(found)


def solved_of(found: dict[str, Any] | Unreachable) -> Solved:
    """A challenge's token; no answer is an error here: there is nothing to fall back on."""
    if isinstance(found, Unreachable):
        raise SpamwardError(503, "unreachable", found.why)
    return Solved.from_json(found)


def event_body(
    event_type: str,
    *,
    user_id: str | None = None,
    ip: str | None = None,
    email: str | None = None,
    text: str = "",
    title: str | None = None,
    context: dict[str, Any] | None = None,
    challenge_token: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """An event as POST /v1/events takes it; `extra` goes as is (e.g. `actor`, `region`).
    An `ip` that is no address (a test client's "testclient", a proxy's garbage) is left
    out rather than failing the request."""
    actor = {"id": user_id, "ip": _address(ip), "email": email, **extra.pop("actor", {})}
    body: dict[str, Any] = {
        "type": event_type,
        "actor": {name: value for name, value in actor.items() if value is not None},
        "content": {"text": text, **({"title": title} if title is not None else {})},
        **extra,
    }
    if context:
        body["context"] = context
    if challenge_token is not None:
        body["challenge_token"] = challenge_token
    return body


def _address(ip: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address(ip)) if ip else None
    except ValueError:
        return None


def outcome(
    answer: httpx.Response | httpx.HTTPError, attempt: int, attempts: int
) -> dict[str, Any] | Retry | Unreachable:
    """The JSON of a good answer; else whether to retry; SpamwardError for a 4xx."""
    last = attempt + 1 >= attempts
    if isinstance(answer, httpx.HTTPError):
        why = f"{type(answer).__name__}: {answer}"
        return Unreachable(why) if last else Retry(BACKOFF_S * 2**attempt)
    if answer.status_code in RETRIED_STATUSES:
        wait = _retry_after(answer, attempt)
        if last or wait > LONGEST_WAIT_S:
            return Unreachable(f"HTTP {answer.status_code}")
        return Retry(wait)
    if answer.status_code >= 500:
        return Unreachable(f"HTTP {answer.status_code}")
    if answer.status_code >= 400:
        error = _error_of(answer)
        raise SpamwardError(answer.status_code, error.get("code", "?"), error.get("message", ""))
    data: dict[str, Any] = answer.json() if answer.content else {}
    return data


def _retry_after(answer: httpx.Response, attempt: int) -> float:
    header = answer.headers.get("retry-after", "")
    return float(header) if header.isdigit() else BACKOFF_S * 2**attempt


def _error_of(answer: httpx.Response) -> dict[str, str]:
    try:
        error: dict[str, str] = answer.json()["error"]
    except (ValueError, KeyError, TypeError):
        return {"code": "http_error", "message": answer.text[:200]}
    return error
