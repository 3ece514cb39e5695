"""What the client answers: typed views of spamward's JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

Verdict = Literal["allow", "flag", "challenge", "rate_limit", "hold", "block"]
OnUnreachable = Literal["allow", "block"]


class SpamwardError(Exception):
    """spamward refused the request (a 4xx): a bug or a misconfiguration on the caller's
    side, never answered by failing open or closed."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status, self.code, self.message = status, code, message


@dataclass(frozen=True, slots=True)
class Challenge:
    kind: Literal["captcha", "email_code"]
    id: str
    expires_at: datetime
    altcha: dict[str, Any] | None = None  # the ALTCHA widget's `challengejson`
    sent_to: str | None = None  # where an e-mail code went, masked

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Challenge:
        return cls(data["kind"], data["id"], datetime.fromisoformat(data["expires_at"]),
                   data.get("altcha"), data.get("sent_to"))  # fmt: skip


@dataclass(frozen=True, slots=True)
class Decision:
    verdict: Verdict
    reasons: tuple[str, ...]
    id: str | None = None
    score: float = 0.0
    challenge: Challenge | None = None
    retry_after_seconds: int | None = None
    unavailable: bool = False  # spamward did not answer: this is the fail-open/closed verdict
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def allowed(self) -> bool:
        """The action may go ahead now (allowed, or only flagged for a look later)."""
        return self.verdict in ("allow", "flag")

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Decision:
        challenge = data.get("challenge")
        return cls(
            verdict=data["verdict"], reasons=tuple(data.get("reasons", ())), id=data.get("id"),
            score=float(data.get("score", 0.0)),
            challenge=Challenge.from_json(challenge) if challenge and "id" in challenge else None,
            retry_after_seconds=data.get("retry_after_seconds"), raw=data,
        )  # fmt: skip

    @classmethod
    def unreachable(cls, verdict: OnUnreachable, why: str) -> Decision:
        return cls(verdict=verdict, reasons=(f"spamward unreachable: {why}",), unavailable=True)


@dataclass(frozen=True, slots=True)
class Solved:
    token: str  # send it as the resubmitted action's `challenge_token`, once
    expires_at: datetime

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Solved:
        return cls(data["token"], datetime.fromisoformat(data["expires_at"]))
