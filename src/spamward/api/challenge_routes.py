"""Solving a challenge: the site forwards the ALTCHA widget's payload or the code the user
typed, and gets the token to resubmit the action with (ingest keys may call it)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field, model_validator

from spamward.api.http import ApiCall, Operation
from spamward.api.schemas import Strict
from spamward.services import challenges


class SolutionIn(Strict):
    solution: Annotated[str, Field(max_length=10_000)] | None = Field(
        default=None, description="A captcha: the ALTCHA widget's payload (base64)."
    )
    code: Annotated[str, Field(max_length=20)] | None = Field(
        default=None, description="An e-mail code: what the user typed."
    )

    @model_validator(mode="after")
    def _one_answer(self) -> SolutionIn:
        if (self.solution is None) == (self.code is None):
            raise ValueError("send either 'solution' (a captcha) or 'code' (an e-mail code)")
        return self


class SolvedOut(BaseModel):
    token: str = Field(description="Send it as the event's challenge_token, once.")
    expires_at: datetime


def solve_challenge(call: ApiCall) -> tuple[int, Any]:
    project_id = call.project_id()
    challenge_id = call.path_uuid("challenge_id", "challenge")
    body = call.json(SolutionIn)
    answer, by_code = (body.code, True) if body.code is not None else (body.solution, False)
    assert answer is not None
    solved = challenges.solve(call.runtime, project_id, challenge_id, answer, by_code)
    return 200, {"token": solved.token, "expires_at": solved.expires_at.isoformat()}


CHALLENGE_OPERATIONS = (
    Operation("POST", "/v1/challenges/{challenge_id}/solve", solve_challenge,
              "Answer a challenge; a token for resubmitting the action, once", SolvedOut,
              body=SolutionIn, errors=(400, 401, 404, 409, 413, 415, 422), ingest=True),
)  # fmt: skip
