"""A policy as data: rules and scoring, the shape stored, exported as YAML and sent by the API.

Detection (a rule's condition), weight (what a hit adds to the score) and consequence (the
rule's verdict, and the thresholds that map the score to a verdict) are separate fields.
"""

from __future__ import annotations

from enum import StrEnum
from itertools import pairwise
from typing import Annotated, Any, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from spamward.domain.verdict import Verdict
from spamward.remediation.catalog import CATALOG, ActionKind, ActionName, checked_params

RuleName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,62}$")]
ParamValue = str | int | float | bool

DEFAULT_RETRY_AFTER_SECONDS = 60


class Mode(StrEnum):
    ACTIVE = "active"
    SHADOW = "shadow"  # evaluated and recorded, never changes the verdict
    DISABLED = "disabled"


class ChallengeKind(StrEnum):
    CAPTCHA = "captcha"
    EMAIL_CODE = "email_code"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Effect(_Strict):
    action: ActionName = Field(
        description=f"A project's defined action, or one of: {', '.join(sorted(CATALOG))}."
    )
    params: dict[Annotated[str, Field(max_length=64)], ParamValue] = {}

    @model_validator(mode="after")
    def _valid_params(self) -> Self:
        """A catalog action's parameters are checked here; a defined action's are fixed, and
        whether the project defines it is checked when the policy is saved."""
        if self.action in CATALOG:
            checked_params(ActionKind(self.action), self.params)
        elif self.params:
            raise ValueError(f"{self.action!r} is a defined action: its parameters are fixed")
        return self

    def key(self) -> tuple[str, tuple[tuple[str, ParamValue], ...]]:
        return (self.action, tuple(sorted(self.params.items())))


class RuleSpec(_Strict):
    name: RuleName
    description: Annotated[str, Field(max_length=1000)] = ""
    condition: Annotated[str, Field(min_length=1, max_length=2000)]
    verdict: Verdict = Field(
        default=Verdict.ALLOW, description="What a hit asks for; 'allow' only adds its weight."
    )
    weight: Annotated[float, Field(ge=-1000, le=1000)] = 0.0
    reason: Annotated[str, Field(max_length=300)] = Field(
        default="", description="Shown when the rule hits; the matching entities follow it."
    )
    challenge: ChallengeKind | None = None
    retry_after_seconds: Annotated[int, Field(ge=1, le=86400)] | None = None
    effects: Annotated[list[Effect], Field(max_length=20)] = []
    mode: Mode = Mode.ACTIVE
    priority: Annotated[int, Field(ge=0, le=10000)] = Field(
        default=100, description="Lower runs (and is listed) first."
    )

    @model_validator(mode="after")
    def _consequence_fits_verdict(self) -> Self:
        if self.challenge is not None and self.verdict is not Verdict.CHALLENGE:
            raise ValueError("'challenge' applies only to the 'challenge' verdict")
        if self.retry_after_seconds is not None and self.verdict is not Verdict.RATE_LIMIT:
            raise ValueError("'retry_after_seconds' applies only to the 'rate_limit' verdict")
        return self

    def reason_text(self) -> str:
        return self.reason or self.description or self.name


class Scoring(_Strict):
    thresholds: dict[Verdict, Annotated[float, Field(ge=-1000, le=100000)]] = Field(
        default={}, description="The score at which each verdict starts, e.g. {'hold': 10}."
    )

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if Verdict.ALLOW in self.thresholds:
            raise ValueError("'allow' needs no threshold: it is what a low score gets")
        ordered = sorted(self.thresholds.items(), key=lambda item: item[0].severity)
        for (milder, low), (harsher, high) in pairwise(ordered):
            if high < low:
                raise ValueError(f"the {harsher} threshold ({high}) is below {milder}'s ({low})")
        return self


class ChallengeSettings(_Strict):
    captcha_difficulty: int = Field(
        default=100_000, ge=1_000, le=10_000_000,
        description="ALTCHA's largest number: a browser tries half of it on average "
        "(100,000: well under a second on a phone).",
    )  # fmt: skip
    valid_seconds: int = Field(default=600, ge=30, le=86_400, description="To solve one.")
    token_seconds: int = Field(
        default=300, ge=10, le=3_600, description="To resubmit the action with its token."
    )


class PolicyDocument(_Strict):
    rules: Annotated[list[RuleSpec], Field(max_length=200)] = []
    scoring: Scoring = Scoring()
    challenges: ChallengeSettings = ChallengeSettings()

    @model_validator(mode="after")
    def _unique_names(self) -> Self:
        seen: set[str] = set()
        for rule in self.rules:
            if rule.name in seen:
                raise ValueError(f"two rules are named {rule.name!r}")
            seen.add(rule.name)
        return self

    def dump(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_defaults=False)
