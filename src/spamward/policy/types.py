"""The types of the rule language and the declared shape of the decision context.

Every field a condition may read is declared here with its type, so a condition is checked
when it is saved: an unknown field or a type mismatch never reaches evaluation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from spamward.domain.velocity import ACTOR_SUBJECTS, ENTITY_SUBJECTS, WINDOWS


@dataclass(frozen=True, slots=True)
class Scalar:
    name: str  # "bool", "number" or "string"
    nullable: bool = False  # an unknown value: compares false with <, <=, >, >=

    def __str__(self) -> str:
        return f"{self.name} or null" if self.nullable else self.name


@dataclass(frozen=True, slots=True)
class ListOf:
    item: Type

    def __str__(self) -> str:
        return f"list of {self.item}"


@dataclass(frozen=True, slots=True)
class Record:
    name: str
    fields: dict[str, Type]

    def __str__(self) -> str:
        return self.name

    def __hash__(self) -> int:
        return hash(self.name)


Type = Scalar | ListOf | Record

BOOL = Scalar("bool")
NUMBER = Scalar("number")
STRING = Scalar("string")
NULL = Scalar("null", nullable=True)
MAYBE_NUMBER = Scalar("number", nullable=True)

_ENTITY_FIELDS: dict[str, Type] = {
    "kind": STRING,  # domain, url, email, phone, text
    "value": STRING,
    "display": STRING,
    "domain": STRING,  # the host of a domain, URL or address; "" otherwise
    "list": STRING,  # allow, deny, ignore, or "" when on no list
    "shortener": BOOL,
    "posts": NUMBER,  # posts carrying it in the project's window, before this one
    "users": NUMBER,  # distinct users who posted it in the window
}

EVENT = Record(
    "event",
    {
        "type": STRING,
        "text": STRING,
        "title": STRING,
        "length": NUMBER,  # characters of title, text and links together
        "link_count": NUMBER,  # URLs found in the content
    },
)

ACTOR = Record(
    "actor",
    {
        "id": STRING,
        "email": STRING,
        "email_domain": STRING,
        "ip": STRING,
        "country": STRING,  # as the site sent it, else from the IP (geoip2fast)
        "ip_list": STRING,  # allow or deny: the project's IP list holding the IP, else ""
        "account_age_seconds": MAYBE_NUMBER,
        "account_age_days": MAYBE_NUMBER,
        "status": STRING,  # active, flagged, quarantined, suspended, banned
        "rate_limited": BOOL,  # by a rate_limit_user action, until its duration ends
        "email_disposable": BOOL,  # the e-mail's domain hands out throwaway mailboxes
        "prior_events": NUMBER,  # the account's events judged before this one
        "prior_spam": NUMBER,  # of those, held or blocked
        "spam_ratio": NUMBER,  # prior_spam / prior_events; 0 without history
        "last_verdict": STRING,  # the previous event's verdict; "" for a first event
    },
)


Env = dict[str, Any]  # the decision context, plus the loop variables while a loop runs
Fn = Callable[[Env], Any]


@dataclass(frozen=True, slots=True)
class Typed:
    """A checked expression: its type, its compiled closure, and the field it reads."""

    type: Type
    fn: Fn
    path: str = ""  # e.g. "actor.status": what the engine must gather for it


MODEL = Record(
    "model",
    {"spam": NUMBER},  # the classifier's calibrated probability that the content is spam
)

Schema = dict[str, Type]


@cache
def entity_record(windows: tuple[str, ...]) -> Record:
    velocity: dict[str, Type] = {f"{n}_{w}": NUMBER for n in ENTITY_SUBJECTS for w in windows}
    return Record("entity", _ENTITY_FIELDS | velocity)


@cache
def context_schema(windows: tuple[str, ...] = tuple(WINDOWS)) -> Schema:
    """What a condition may read, with the velocity fields of the configured windows:
    per user, IP, /24 or /64 network, e-mail domain, sign-ups per IP and accounts an IP
    served (`velocity.*`), and per entity its recent posts, users and near-duplicate users
    (`e.posts_1h`...), each before this event (signals/velocity.py)."""
    actor_velocity: dict[str, Type] = {f"{n}_{w}": NUMBER for n in ACTOR_SUBJECTS for w in windows}
    return {
        "event": EVENT,
        "actor": ACTOR,
        "entities": ListOf(entity_record(windows)),
        "velocity": Record("velocity", actor_velocity),
        "model": MODEL,
    }


CONTEXT = context_schema()
ENTITY = entity_record(tuple(WINDOWS))
