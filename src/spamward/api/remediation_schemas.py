"""Request and response bodies of the remediation API: actions, defined actions, reviews,
and where actions go."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AnyHttpUrl,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    WithJsonSchema,
    model_validator,
)

from spamward.api.schemas import (
    PageQuery,
    SpamStringOut,
    Strict,
    iso_time_only,
)
from spamward.domain.entity import EntityKind
from spamward.remediation.catalog import ActionKind, ActionName
from spamward.services.reviews import Resolution
from spamward.storage.repositories.actions import STATUSES

ParamValue = str | int | float | bool | list[str]


def _in_utc(value: datetime) -> datetime:
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError("a time within years 1 to 9999 in UTC") from None


UtcTime = Annotated[AwareDatetime, BeforeValidator(iso_time_only), AfterValidator(_in_utc)]
MAX_URL_CHARS = 2000


def _url_length(value: object) -> object:
    """Counted as sent: pydantic's own limit counts the normalised URL (a `/` added)."""
    if isinstance(value, str) and len(value) > MAX_URL_CHARS:
        raise ValueError(f"a URL of at most {MAX_URL_CHARS} characters")
    return value


def _stored_length(url: AnyHttpUrl) -> AnyHttpUrl:
    """What is stored is the normalised URL, which IDNA can make much longer than sent."""
    if len(str(url)) > MAX_URL_CHARS:
        raise ValueError(f"a URL of at most {MAX_URL_CHARS} characters once normalised")
    return url


Url = Annotated[
    AnyHttpUrl,
    BeforeValidator(_url_length),
    AfterValidator(_stored_length),
    WithJsonSchema({"type": "string", "format": "uri", "minLength": 1, "maxLength": MAX_URL_CHARS}),
]
Email = Annotated[str, Field(pattern=r"^[^@\s,]+@[^@\s,]+\.[^@\s,]+$", max_length=254)]


class EntityRef(Strict):
    kind: EntityKind
    value: Annotated[str, Field(min_length=1, max_length=600)]


class ActionRunIn(Strict):
    action: ActionName = Field(description="A defined action's name, or a catalog action.")
    params: dict[Annotated[str, Field(max_length=64)], ParamValue] = Field(
        default_factory=dict,
        description="A catalog action's parameters (a defined one's are fixed).",
    )
    user_id: Annotated[str, Field(max_length=200)] | None = None
    event_id: uuid.UUID | None = None
    entity: EntityRef | None = None
    note: Annotated[str, Field(max_length=1000)] | None = None


class ActionLogQuery(PageQuery):
    status: Annotated[str, Field(pattern="^(" + "|".join(STATUSES) + ")$")] | None = None
    action: ActionName | None = None
    user_id: Annotated[str, Field(max_length=200)] | None = None
    rule: Annotated[str, Field(max_length=64)] | None = None
    event_id: uuid.UUID | None = None
    since: UtcTime | None = None
    until: UtcTime | None = None


class MetricsQuery(Strict):
    hours: Annotated[int, Field(ge=1, le=24 * 90)] = 24


class ActionOut(BaseModel):
    id: str
    name: str
    kind: ActionKind
    params: dict[str, Any]
    status: str = Field(description="queued, running, done, skipped or failed")
    user_id: str | None
    event_id: str | None
    decision_id: str | None
    entity: dict[str, str] | None
    rule: str | None
    requested_by: str
    attempts: int
    max_attempts: int
    due_at: datetime | None
    result: dict[str, Any] | None
    error: str | None
    created_at: datetime
    finished_at: datetime | None
    attempt_log: list[dict[str, Any]] | None = None


class SpamUserOut(BaseModel):
    user_id: str
    last_spam_at: datetime
    spam_posts: int
    top_spam_strings: list[SpamStringOut]
    last_action: ActionOut | None = Field(description="the newest action on the user")


class SpamUsersOut(BaseModel):
    users: list[SpamUserOut]


class ActionsOut(BaseModel):
    actions: list[ActionOut]


class MetricsOut(BaseModel):
    since: datetime
    by_kind: dict[str, dict[str, float | int | None]]
    queue: dict[str, float | int | None]


class DefinedActionIn(Strict):
    action: ActionKind
    params: dict[Annotated[str, Field(max_length=64)], ParamValue] = Field(default_factory=dict)
    description: Annotated[str, Field(max_length=1000)] = ""


class DefinedActionOut(BaseModel):
    name: str
    action: ActionKind
    params: dict[str, Any]
    description: str
    updated_at: datetime
    updated_by: str


class DefinedActionsOut(BaseModel):
    defined_actions: list[DefinedActionOut]
    catalog: dict[str, dict[str, Any]] = Field(
        description="Every catalog action with the JSON schema of its parameters."
    )


class ReviewQuery(PageQuery):
    status: Annotated[str, Field(pattern="^(open|resolved)$")] | None = "open"
    kind: (
        Annotated[str, Field(pattern="^(held_content|questionable|action_failed|rule_exhausted)$")]
        | None
    ) = None


class ResolveIn(Strict):
    resolution: Resolution
    note: Annotated[str, Field(max_length=2000)] | None = None
    deny: Annotated[list[EntityRef], Field(max_length=100)] = Field(default_factory=list)
    allow: Annotated[list[EntityRef], Field(max_length=100)] = Field(default_factory=list)

    @model_validator(mode="after")
    def _lists_fit(self) -> ResolveIn:
        if self.resolution is Resolution.RETRY and (self.deny or self.allow):
            raise ValueError("a retry changes no list")
        return self


class ReviewItemOut(BaseModel):
    id: str
    kind: str
    status: str
    summary: str
    event_id: str | None
    decision_id: str | None
    action_id: str | None
    user_id: str | None
    rule: str | None
    created_at: datetime
    resolved_at: datetime | None
    resolved_by: str | None
    resolution: str | None
    note: str | None
    decision: dict[str, Any] | None = None
    text: str | None = None
    action: dict[str, Any] | None = None
    user_posts: list[dict[str, Any]] | None = None
    listed: dict[str, Any] | None = None


class ReviewItemsOut(BaseModel):
    items: list[ReviewItemOut]


def documented_without_null(*names: str) -> Callable[[dict[str, Any]], None]:
    """For fields that may be left out but not set to null: None stands for "left out"."""

    def edit(schema: dict[str, Any]) -> None:
        for name in names:
            field = schema["properties"][name]
            field["anyOf"] = [choice for choice in field["anyOf"] if choice.get("type") != "null"]
            field.pop("default", None)

    return edit


class RemediationSettingsPatch(Strict):
    """Only what is named changes; the URLs may be null (no webhook), the rest may not."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra=documented_without_null("admin_emails", "rule_actions_per_hour"),
    )

    webhook_url: Url | None = None
    admin_emails: Annotated[list[Email], Field(max_length=50)] | None = None
    admin_webhook_url: Url | None = None
    rule_actions_per_hour: Annotated[int, Field(ge=1, le=1_000_000)] | None = None

    @model_validator(mode="after")
    def _no_null_for_lists_and_limits(self) -> RemediationSettingsPatch:
        for name in ("admin_emails", "rule_actions_per_hour"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        return self


class RemediationSettingsOut(BaseModel):
    webhook_url: str | None
    webhook_secret_set: bool
    webhook_secret: str | None = Field(default=None, description="Shown once, when made.")
    admin_emails: list[str]
    admin_webhook_url: str | None
    rule_actions_per_hour: int
