"""Request and response bodies. Inputs are strict (unknown fields are errors, so typos
surface); `context` is the free-form part of an event."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, IPvAnyAddress

from spamward.domain.account import AccountStatus
from spamward.domain.decision import Outcome
from spamward.domain.entity import EntityKind
from spamward.domain.event import Actor, Content, Event, EventType
from spamward.domain.verdict import Verdict

ShortText = Annotated[str, Field(max_length=200)]
_NUMBER = re.compile(r"\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*")


def iso_time_only(value: object) -> object:
    """A time is RFC 3339 text (`2026-03-02T12:00:00Z`), parsed here: pydantic would also
    read a number as seconds since 1970, and bodies are validated strictly."""
    if isinstance(value, int | float) or (isinstance(value, str) and _NUMBER.fullmatch(value)):
        raise ValueError("a date-time like 2026-03-02T12:00:00Z, not a number")
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            raise ValueError("a date-time like 2026-03-02T12:00:00Z") from None
    return value


def text_only(value: object) -> object:
    """An address is text: the IP type alone would read false or 0 as 0.0.0.0."""
    if not isinstance(value, str):
        raise ValueError("an IP address as text")
    return value


IsoTime = Annotated[datetime, BeforeValidator(iso_time_only)]
IpText = Annotated[IPvAnyAddress, BeforeValidator(text_only)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ActorIn(Strict):
    id: ShortText | None = Field(default=None, description="The site's own user id.")
    email: Annotated[str, Field(max_length=254)] | None = None
    ip: IpText | None = None
    user_agent: Annotated[str, Field(max_length=1000)] | None = None
    country: Annotated[str, Field(pattern=r"^[A-Z]{2}$")] | None = None
    account_created_at: IsoTime | None = None


class ContentIn(Strict):
    text: str = ""
    title: Annotated[str, Field(max_length=1000)] | None = None
    links: Annotated[list[Annotated[str, Field(max_length=2000)]], Field(max_length=100)] = []


class EventIn(Strict):
    type: EventType
    actor: ActorIn = ActorIn()
    content: ContentIn = ContentIn()
    context: dict[str, Any] = {}
    id: ShortText | None = Field(default=None, description="The site's id for this action.")
    occurred_at: IsoTime | None = None
    region: Annotated[str, Field(pattern=r"^[A-Z]{2}$")] | None = Field(
        default=None, description="Region for phone numbers without a country code."
    )
    challenge_token: Annotated[str, Field(max_length=500)] | None = Field(
        default=None,
        description="The token of a solved challenge, resubmitting the action it was asked for.",
    )

    def to_event(self, now: datetime) -> Event:
        """The domain event; `now` stands in for a missing `occurred_at`."""
        actor, content = self.actor, self.content
        return Event(
            type=self.type,
            actor=Actor(
                user_id=actor.id,
                email=actor.email,
                ip=str(actor.ip) if actor.ip else None,
                user_agent=actor.user_agent,
                country=actor.country,
                account_created_at=actor.account_created_at,
            ),
            content=Content(content.text, content.title, tuple(content.links)),
            context=self.context,
            external_id=self.id,
            occurred_at=_aware(self.occurred_at) or now,
            region=self.region,
        )


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


class ListEntryIn(Strict):
    kind: EntityKind
    value: Annotated[str, Field(min_length=1, max_length=600)]
    note: Annotated[str, Field(max_length=1000)] | None = None


class BulkListIn(Strict):
    entries: Annotated[list[ListEntryIn], Field(min_length=1, max_length=1000)]


class PageQuery(Strict):
    limit: Annotated[int, Field(ge=1, le=500)] = 50
    offset: Annotated[int, Field(ge=0, le=1_000_000_000)] = 0


class EntityQuery(PageQuery):
    kind: EntityKind
    q: Annotated[str, Field(max_length=200)] | None = Field(
        default=None, description="Only entities whose shown value contains this text."
    )


class SettingsPatch(Strict):
    window_days: Annotated[int, Field(ge=1, le=365)] | None = None
    ignore_days: Annotated[int, Field(ge=1, le=365)] | None = None
    retention_days: Annotated[int, Field(ge=1, le=3650)] | None = None
    duplicate_text_min_chars: Annotated[int, Field(ge=1, le=10000)] | None = None


class ListQuery(Strict):
    kind: EntityKind | None = None
    limit: Annotated[int, Field(ge=1, le=1000)] = 100
    offset: Annotated[int, Field(ge=0, le=1_000_000_000)] = 0


class EntityOut(BaseModel):
    value: str = Field(description="Canonical key (punycode domains, E.164 phones).")
    display: str = Field(description="As a moderator reads it.")
    domain: str | None = Field(default=None, description="Host of a domain, URL or address.")
    list: str | None = Field(description="The list it is on, if any.")
    shortener: bool


class DecisionEntitiesOut(BaseModel):
    domains: list[EntityOut]
    urls: list[EntityOut]
    emails: list[EntityOut]
    phones: list[EntityOut]
    texts: list[EntityOut] = Field(description="Duplicate-text fingerprints (value) and samples.")


class RuleOutcomeOut(BaseModel):
    rule: str
    outcome: Outcome
    verdict: Verdict
    weight: float
    reason: str
    would_be: Verdict | None = Field(
        default=None, description="A shadow hit: the verdict had the rule been active."
    )


class EffectOut(BaseModel):
    action: str
    params: dict[str, str | int | float | bool]
    rule: str = Field(description="The rule that asked for it.")


class AltchaChallengeOut(BaseModel):
    """What the ALTCHA widget takes as its challenge (its `challengejson`)."""

    algorithm: str
    challenge: str
    salt: str
    signature: str
    maxnumber: int


class ChallengeOut(BaseModel):
    kind: str = Field(description="captcha or email_code")
    id: str | None = Field(default=None, description="None when the decision was not stored.")
    expires_at: datetime | None = None
    altcha: AltchaChallengeOut | None = Field(default=None, description="For a captcha.")
    sent_to: str | None = Field(default=None, description="For an e-mail code: where, masked.")


class DecisionOut(BaseModel):
    id: str | None
    event_id: str | None
    verdict: Verdict
    score: float
    reasons: list[str]
    entities: DecisionEntitiesOut
    rules: list[RuleOutcomeOut]
    effects: list[EffectOut] = Field(description="Actions the decision asks for.")
    challenge: ChallengeOut | None = Field(description="What to ask, with a challenge verdict.")
    retry_after_seconds: int | None = Field(description="With a rate_limit verdict.")
    policy_version: int = Field(description="The published policy version that decided.")
    signals: dict[str, Any] = Field(
        description="Facts the rules read besides the content (kept for backtests)."
    )
    duration_us: float
    created_at: datetime


class ListEntryOut(BaseModel):
    id: int
    list: str
    kind: EntityKind
    value: str
    display: str
    note: str | None
    created_at: datetime
    created_by: str | None
    expires_at: datetime | None
    probation: bool = Field(
        default=False,
        description="Added by a deny_entity action: lapses at expires_at unless promoted.",
    )


class BulkErrorOut(BaseModel):
    index: int
    code: str
    message: str


class BulkListOut(BaseModel):
    added: list[ListEntryOut]
    errors: list[BulkErrorOut]


class EntityRowOut(BaseModel):
    id: int
    kind: EntityKind
    value: str
    display: str
    posts: int = Field(description="Posts in the rolling window.")
    users: int = Field(description="Distinct users in the rolling window.")
    first_posted_at: datetime
    last_posted_at: datetime
    list: str | None


class EntitiesOut(BaseModel):
    entities: list[EntityRowOut]


class PostEntityOut(BaseModel):
    id: int
    kind: EntityKind
    display: str
    list: str | None


class PostOut(BaseModel):
    event_id: str
    posted_at: datetime
    user_id: str | None
    verdict: str | None
    text: str
    entity_count: int = Field(description="Entities in the post, this one included.")
    entities: list[PostEntityOut]


class PostsOut(BaseModel):
    posts: list[PostOut]


class SpamStringOut(BaseModel):
    kind: EntityKind
    display: str
    posts: int


class SettingsOut(BaseModel):
    window_days: int
    ignore_days: int
    retention_days: int
    duplicate_text_min_chars: int


class ListEntriesOut(BaseModel):
    entries: list[ListEntryOut]


class ErrorDetail(BaseModel):
    code: str
    message: str
    details: list[dict[str, Any]] | None = None


class ErrorOut(BaseModel):
    error: ErrorDetail


assert {kind.plural for kind in EntityKind} == set(DecisionEntitiesOut.model_fields)


class AccountStatusIn(Strict):
    status: AccountStatus
    note: Annotated[str, Field(max_length=1000)] | None = None


class AccountOut(BaseModel):
    user_id: str
    status: AccountStatus
    first_seen_at: datetime
    last_seen_at: datetime


class IpEntryIn(Strict):
    value: Annotated[str, Field(min_length=2, max_length=64)] = Field(
        description="An address (203.0.113.7, 2001:db8::1) or a network (203.0.113.0/24)."
    )
    note: Annotated[str, Field(max_length=1000)] | None = None


class IpEntryOut(BaseModel):
    id: int
    list: str
    network: str = Field(description="Canonical CIDR; an address is stored as /32 or /128.")
    note: str | None
    created_at: datetime
    created_by: str


class IpEntriesOut(BaseModel):
    entries: list[IpEntryOut]


class LabelIn(Strict):
    event_id: uuid.UUID = Field(description="The event (post) judged, as its decision names it.")
    spam: bool


class LabelOut(BaseModel):
    event_id: str | None = Field(description="None once retention purged the post.")
    spam: bool
    source: str = Field(description="moderator, list.deny or list.allow")
    text: str
    created_at: datetime
    created_by: str


class LabelsOut(BaseModel):
    labels: list[LabelOut]
