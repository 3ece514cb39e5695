"""The rows of the planned project (bench/dashboard_data.py), table by table, as the strings
and numbers a loader copies in: times as 'YYYY-MM-DD HH:MM:SS.ffffff' (with "+00" on
PostgreSQL: SQLite keeps UTC without a zone, as SQLAlchemy writes it), ids as UUIDv7 hex,
JSON as text. Decisions carry a small trace of the shape services/decision_record.trace_of
writes: reasons, entities by kind with their list, the rules that hit."""

from __future__ import annotations

import random
from array import array
from collections.abc import Iterator
from datetime import UTC, datetime

import orjson

from bench.dashboard_data import (
    ACTOR_BITS,
    ACTORS,
    DAY_S,
    DAY_SLOTS,
    LISTS,
    VERDICTS,
    Catalog,
    Plan,
)
from bench.spam_manager import WORDS
from spamward.domain.entity import EntityKind

Row = tuple[object, ...]
MODERATOR = "moderator:bench@example.com"
EVENT_SALT, DECISION_SALT = 0x5EED_0001, 0x5EED_0002
_MASK80 = (1 << 80) - 1
_MIX = 0x9E37_79B9_7F4A_7C15_F39D  # odd: n -> n * _MIX mod 2**80 is one-to-one
_AGENTS = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64)", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4)",
           "Mozilla/5.0 (X11; Linux x86_64)", "okhttp/4.12.0")  # fmt: skip
_COUNTRIES = ("US", "GB", "DE", "IN", "BR", "FR", "NG", "VN", "RU", "CA")
_TYPES = ("post",) * 14 + ("comment",) * 5 + ("message",)
_SCORES = {"allow": (0.01, 0.3), "flag": (0.5, 0.75), "challenge": (0.55, 0.7),
           "rate_limit": (0.3, 0.5), "hold": (0.8, 0.95), "block": (1.0, 1.0)}  # fmt: skip
# A verdict on no list: the rule that gave it, and its reason.
_RULES = {
    "flag": ("classifier_spam_likely", "the spam model scores it likely spam"),
    "challenge": ("new_account_link_burst", "a new account posting links quickly"),
    "rate_limit": ("user_velocity", "more than 10 posts in a minute"),
    "hold": ("classifier_spam_certain", "the spam model is certain it is spam"),
    "block": ("banned_user", "the user is banned"),
}


def stamp(seconds: float, zone: str) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d %H:%M:%S.%f") + zone


def uuid7(seconds: float, n: int, salt: int) -> str:
    """A version 7 UUID for `n` at `seconds`, in hex: time-ordered like spamward's new_id."""
    value = int(seconds * 1000) << 80 | ((n + salt) * _MIX & _MASK80)
    value = (value & ~(0xF << 76)) | (0x7 << 76)
    value = (value & ~(0x3 << 62)) | (0x2 << 62)
    return f"{value:032x}"


def external_user(actor: int) -> str:
    return f"user{actor:06d}"


class Rows:
    def __init__(self, plan: Plan, project_id: int, policy_version: int, zone: str) -> None:
        self.plan, self.project_id, self.policy_version = plan, project_id, policy_version
        self.zone = zone

    def at(self, seconds: float) -> str:
        return stamp(seconds, self.zone)

    def event_id(self, post: int) -> str:
        return uuid7(self.plan.posts.times[post], post, EVENT_SALT)

    def decision_id(self, post: int) -> str:
        return uuid7(self.plan.posts.times[post], post, DECISION_SALT)

    def actors(self) -> Iterator[Row]:
        rng, counters, now = random.Random(1), self.plan.counters, self.plan.now
        for actor in range(1, ACTORS + 1):
            events = counters.actor_events[actor]
            first = counters.actor_first[actor] if events else now - rng.uniform(20, 90) * DAY_S
            last = counters.actor_last[actor] if events else first
            status, until = _status(rng, now)
            email = f"user{actor}@mail{actor % 97}.example" if actor % 10 < 7 else None
            verdict = VERDICTS[counters.actor_verdict[actor]] if events else None
            yield (actor, self.project_id, external_user(actor), email, self.at(first),
                   self.at(last), status, self.at(until) if until else None, events,
                   counters.actor_spam[actor], verdict)  # fmt: skip

    def entities(self) -> Iterator[Row]:
        rng, catalog, counters = random.Random(2), self.plan.catalog, self.plan.counters
        now = self.plan.now
        for index, kind in enumerate(catalog.kinds):
            entity_id = index + 1
            posts = counters.posts[entity_id]
            if posts:
                first, last = counters.first[entity_id], counters.last[entity_id]
            else:  # rolled out of the window
                last = now - rng.uniform(15, 60) * DAY_S
                first = last - rng.uniform(0, 30) * DAY_S
            listed = LISTS[catalog.listed[index]] or None
            yield (entity_id, self.project_id, kind.value, catalog.values[index],
                   catalog.displays[index], catalog.hosts[index], self.at(first), self.at(last),
                   posts, counters.users[entity_id], listed)  # fmt: skip

    def list_entries(self) -> Iterator[Row]:
        catalog, now = self.plan.catalog, self.plan.now
        for entity_id in catalog.listed_ids:
            index, name = entity_id - 1, LISTS[catalog.listed[entity_id - 1]]
            expires = self.at(now + 7 * DAY_S) if name == "ignore" else None
            created = self.at(now - (entity_id % 30 + 1) * DAY_S)
            yield (self.project_id, name, catalog.kinds[index].value, catalog.values[index],
                   catalog.displays[index], "bench", created, MODERATOR, expires)  # fmt: skip

    def events(self) -> Iterator[Row]:
        rng, posts, catalog = random.Random(3), self.plan.posts, self.plan.catalog
        for post, seconds in enumerate(posts.times):
            actor = posts.actors[post] or None
            ip = f"10.{post % 7}.{(actor or 0) >> 8 & 255}.{(actor or 0) & 255}"
            kind = _TYPES[post % len(_TYPES)]
            title = f"{rng.choice(WORDS).title()} {rng.choice(WORDS)}" if post % 10 == 0 else None
            text = _text(rng, catalog, posts.entities_of(post))
            when = self.at(seconds)
            yield (self.event_id(post), self.project_id, kind, actor, f"p{post:07d}", ip,
                   _AGENTS[post % len(_AGENTS)], _COUNTRIES[(actor or 0) % len(_COUNTRIES)],
                   title, text, f'{{"thread": {post // 40}}}', when, when)  # fmt: skip

    def decisions(self) -> Iterator[Row]:
        rng, posts = random.Random(4), self.plan.posts
        for post, seconds in enumerate(posts.times):
            verdict = VERDICTS[posts.verdicts[post]]
            duration = round(rng.lognormvariate(6.8, 0.5), 1)  # ~900 µs
            trace = self._trace(verdict, posts.entities_of(post), duration)
            low, high = _SCORES[verdict]
            yield (self.decision_id(post), self.project_id, self.event_id(post), verdict,
                   round(rng.uniform(low, high), 3), orjson.dumps(trace).decode(), duration,
                   self.at(seconds), self.policy_version)  # fmt: skip

    def _trace(self, verdict: str, ids: array[int], duration: float) -> dict[str, object]:
        catalog = self.plan.catalog
        found: dict[str, list[dict[str, object]]] = {kind.plural: [] for kind in EntityKind}
        reasons: list[str] = []
        rules: list[dict[str, object]] = []
        for entity_id in ids:
            index = entity_id - 1
            kind, listed = catalog.kinds[index], LISTS[catalog.listed[index]] or None
            found[kind.plural].append(_entity(catalog, index, listed))
            if listed in ("deny", "allow") and not rules:
                rule = "deny_list" if listed == "deny" else "allowed_entity"
                reasons.append(f"{kind.value} {catalog.displays[index]} is on the {listed} list")
                rules.append(_hit(rule, verdict, reasons[-1]))
        if not rules and verdict in _RULES:
            rule, reason = _RULES[verdict]
            reasons.append(reason)
            rules.append(_hit(rule, verdict, reason))
        return {
            "reasons": reasons,
            "entities": found,
            "rules": rules,
            "effects": [],
            "challenge": {"kind": "captcha"} if verdict == "challenge" else None,
            "retry_after_seconds": 60 if verdict == "rate_limit" else None,
            "policy_version": self.policy_version,
            "signals": {},
            "duration_us": duration,
        }

    def occurrences(self) -> Iterator[Row]:
        posts = self.plan.posts
        for post, seconds in enumerate(posts.times):
            event_id, actor = self.event_id(post), posts.actors[post] or None
            when = self.at(seconds)
            for entity_id in posts.entities_of(post):
                yield (event_id, entity_id, self.project_id, actor, when)

    def entity_days(self) -> Iterator[Row]:
        counters = self.plan.counters
        for key in sorted(counters.days):
            entity_id, day = divmod(key, DAY_SLOTS)
            yield (entity_id, counters.base_day + day, self.project_id, counters.days[key])

    def entity_users(self) -> Iterator[Row]:
        posters = self.plan.counters.posters
        for key in sorted(posters):
            entity_id, actor = key >> ACTOR_BITS, key & ((1 << ACTOR_BITS) - 1)
            yield (entity_id, actor, self.project_id, self.at(posters[key]))


def _status(rng: random.Random, now: float) -> tuple[str, float | None]:
    draw = rng.random()
    if draw < 0.005:
        return "banned", None
    if draw < 0.008:
        return "suspended", now + rng.uniform(1, 14) * DAY_S
    if draw < 0.010:
        return "quarantined", None
    return ("flagged", None) if draw < 0.02 else ("active", None)


def _text(rng: random.Random, catalog: Catalog, ids: array[int]) -> str:
    """What the post said: its duplicate text if it has one, its links, numbers and
    addresses, and a few words."""
    parts = [" ".join(rng.choices(WORDS, k=rng.randint(3, 14))).capitalize()]
    for entity_id in ids:
        index = entity_id - 1
        kind, display = catalog.kinds[index], catalog.displays[index]
        if kind is EntityKind.TEXT:
            parts[0] = display
        elif kind is EntityKind.URL:
            parts.append(f"https://{display}")
        elif kind is not EntityKind.DOMAIN:
            parts.append(display)
    return " ".join(parts)


def _entity(catalog: Catalog, index: int, listed: str | None) -> dict[str, object]:
    return {
        "value": catalog.values[index],
        "display": catalog.displays[index],
        "domain": catalog.hosts[index],
        "list": listed,
        "shortener": False,
    }


def _hit(rule: str, verdict: str, reason: str) -> dict[str, object]:
    return {"rule": rule, "outcome": "hit", "verdict": verdict, "weight": 0, "reason": reason}
