"""Velocity: how often an actor, a network or an entity acted over sliding windows.

Each event names its *subjects*: the user, the IP, its /24 or /64 network, the e-mail
domain, the IP again for sign-ups, and every entity in the content. A subject counts
events, or distinct users (accounts an IP served, users who posted an entity). Counters
are read while deciding (the counts before this event) and committed after the decision is
stored. Two backends keep one interface: `MemoryCounters` (embedded mode, one process)
and `RedisCounters` (scaled mode, signals/redis_counters.py).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Protocol

from spamward.domain.entity import Entity
from spamward.domain.event import Event, EventType
from spamward.domain.facts import EntityKey
from spamward.domain.velocity import WINDOWS


@dataclass(frozen=True, slots=True)
class Subject:
    """One thing counted: `key` names it; `member` is the user for distinct counts, None
    when every event counts."""

    name: str
    key: str
    member: str | None = None


@dataclass(frozen=True, slots=True)
class Subjects:
    actor: tuple[Subject, ...]
    entities: tuple[tuple[EntityKey, tuple[Subject, ...]], ...]

    def all(self) -> list[Subject]:
        return [*self.actor, *(s for _, group in self.entities for s in group)]


@dataclass(frozen=True, slots=True)
class Reading:
    """Counts in each window (now - w, now], before this event: `actor` as
    {"user_1m": 3, ...}, `entities` per key as {"posts_1h": 9, "users_1h": 4, ...};
    `degraded` when the backend did not answer."""

    actor: dict[str, int] = field(default_factory=dict)
    entities: dict[EntityKey, dict[str, int]] = field(default_factory=dict)
    degraded: bool = False


class Counters(Protocol):
    def read(self, project_id: int, subjects: Subjects, now: datetime) -> Reading: ...

    def commit(self, project_id: int, subjects: Subjects, event_id: str, now: datetime) -> None: ...

    def close(self) -> None: ...


def subjects_of(event: Event, entities: tuple[Entity, ...]) -> Subjects:
    actor = event.actor
    user, ip = actor.user_id, actor.ip
    found: list[Subject] = []
    if user:
        found.append(Subject("user", user))
    if ip:
        found += [Subject("ip", ip), Subject("net", network_of(ip))]
        if user:
            found.append(Subject("ip_accounts", ip, member=user))
        if event.type is EventType.SIGNUP:
            found.append(Subject("signups_ip", ip))
    if actor.email and "@" in actor.email:
        found.append(Subject("email_domain", actor.email.rpartition("@")[2].lower()))
    per_entity = tuple((entity.key, _entity_subjects(entity, user)) for entity in entities)
    return Subjects(tuple(found), per_entity)


def _entity_subjects(entity: Entity, user: str | None) -> tuple[Subject, ...]:
    key = f"{entity.kind}:{entity.value}"
    if user is None:
        return (Subject("posts", key),)
    near = tuple(Subject("near_users", f"near:{k}", member=user) for k in entity.cluster_keys)
    return (Subject("posts", key), Subject("users", key, member=user), *near)


@lru_cache(maxsize=8192)  # every decision asks, twice; ipaddress is slow at it
def network_of(ip: str) -> str:
    """The /24 of an IPv4 address or the /64 of an IPv6 one: where one operator's
    addresses usually sit."""
    try:
        address: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(ip)
    except ValueError:
        return ip
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped  # ::ffff:a.b.c.d is an IPv4 client
    prefix = 24 if address.version == 4 else 64
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


Counts = dict[Subject, tuple[int, ...]]  # per subject, one count per window


def reading_of(
    subjects: Subjects,
    counts: Counts,
    windows: Mapping[str, int] = WINDOWS,
    degraded: bool = False,
) -> Reading:
    """The counts laid out as rules read them; a subject without counts reads 0."""
    window_names = tuple(windows)
    zeros = (0,) * len(window_names)

    def named(group: tuple[Subject, ...]) -> dict[str, int]:
        """Subjects of one name count as the largest of them (a text's cluster keys)."""
        found: dict[str, int] = {}
        for subject in group:
            names = _names(subject.name, window_names)
            for name, count in zip(names, counts.get(subject, zeros), strict=True):
                if count >= found.get(name, 0):
                    found[name] = count
        return found

    entities = {key: named(group) for key, group in subjects.entities}
    return Reading(named(subjects.actor), entities, degraded)


@lru_cache(maxsize=1024)
def _names(subject: str, windows: tuple[str, ...]) -> tuple[str, ...]:
    """A subject's signal names, one per window: user_1m, user_10m..."""
    return tuple(f"{subject}_{window}" for window in windows)
