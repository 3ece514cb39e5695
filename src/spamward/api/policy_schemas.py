"""Request and response bodies of the policy operations. Rules and documents use the
policy's own models (policy/document.py), so the API and YAML exports share one shape."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field, RootModel

from spamward.api.schemas import Strict
from spamward.policy.document import PolicyDocument, RuleSpec


class PolicyOut(BaseModel):
    live_version: int = Field(description="The published version decisions use.")
    unpublished_changes: bool = Field(description="The draft differs from the live version.")
    draft: PolicyDocument


class RulesOut(BaseModel):
    rules: list[RuleSpec] = Field(description="The draft's rules, in the order they run.")


class ProblemOut(BaseModel):
    rule: str | None
    field: str
    message: str
    line: int | None = None
    column: int | None = None


class ValidationOut(BaseModel):
    valid: bool
    problems: list[ProblemOut]


class PublishIn(Strict):
    note: Annotated[str, Field(max_length=1000)] = ""


class RollbackIn(Strict):
    version: Annotated[int, Field(ge=1)]


class VersionOut(BaseModel):
    version: int
    note: str
    published_at: datetime
    published_by: str
    live: bool


class VersionsOut(BaseModel):
    versions: list[VersionOut]


class VersionDocumentOut(VersionOut):
    document: PolicyDocument


class DaysQuery(Strict):
    days: Annotated[int, Field(ge=1, le=365)] = 14


class BacktestIn(Strict):
    days: Annotated[int, Field(ge=1, le=365)] = 14
    policy: dict[str, Any] | None = Field(
        default=None, description="A policy document to test; the draft when left out."
    )


class BacktestOut(BaseModel):
    id: str
    status: str = Field(description="queued, running, done or failed")
    days: int
    done_events: int
    total_events: int
    report: dict[str, Any] | None = Field(
        description="When done: events, changed, verdicts_before/after, changes with "
        "examples, rule_hits, shadow_hits, rule_errors."
    )
    error: str | None
    created_at: datetime
    finished_at: datetime | None


class ShadowTransitionOut(BaseModel):
    to: str
    count: int
    from_: str = Field(alias="from")


class ShadowRuleOut(BaseModel):
    rule: str
    hits: int = Field(description="Decisions where the shadow rule hit.")
    changes: int = Field(description="Of those, decisions whose verdict it would have changed.")
    transitions: list[ShadowTransitionOut]


class ShadowReportOut(BaseModel):
    days: int
    decisions: int = Field(description="Live decisions in the period.")
    rules: list[ShadowRuleOut]


class DocumentToCheck(RootModel[dict[str, Any]]):
    """Any JSON object: what is wrong with it as a policy document is the answer."""
