"""The large project the dashboard bench reads: 1,000,000 posts by 100,000 users over the
14-day window, holding 500,000 entities, some of them on a list.

`plan()` draws from one seed who posted what and when, and counts what the tables keep
(posts per entity and day, who posted each entity, each user's history), so that counters
agree with the rows they count. Entities follow a long tail: about a third of a kind's
posts bring a new entity, the rest repeat one, the lower its index the likelier (a few
thousand posts for the head of the URL tab). 5% of the entities are never posted in the
window: rolled out, their counters at zero. A post with a denied entity is blocked, one with
an allowed entity allowed; the others get a realistic mix of verdicts.
"""

from __future__ import annotations

import random
from array import array
from dataclasses import dataclass, field
from datetime import datetime

from bench.spam_manager import WORDS, domain_name
from spamward.domain.entity import EntityKind

POSTS = 1_000_000
ACTORS = 100_000
ANONYMOUS_SHARE = 0.05  # posts without a user id
WINDOW_DAYS = 14
DAY_S = 86_400
SEED = 2027
ACTOR_BITS = 17  # Counters.posters keys: entity id << ACTOR_BITS | actor (ACTORS fit in it)
DAY_SLOTS = 32  # Counters.days keys: entity id * DAY_SLOTS + day in the window
KINDS = (EntityKind.DOMAIN, EntityKind.URL, EntityKind.PHONE, EntityKind.EMAIL, EntityKind.TEXT)
ENTITIES = {
    EntityKind.DOMAIN: 40_000,
    EntityKind.URL: 300_000,
    EntityKind.PHONE: 40_000,
    EntityKind.EMAIL: 40_000,
    EntityKind.TEXT: 80_000,
}
ROLLED_SHARE = 0.05  # of each kind: last posted before the window
# What a post holds, and how often: a link brings its domain and URL (~1.5 entities a post).
SHAPES: tuple[tuple[float, tuple[EntityKind, ...]], ...] = (
    (0.18, ()),
    (0.45, (EntityKind.URL,)),
    (0.12, (EntityKind.URL, EntityKind.TEXT)),
    (0.10, (EntityKind.PHONE,)),
    (0.05, (EntityKind.EMAIL,)),
    (0.10, (EntityKind.TEXT,)),
)
# Entities put on a list, by kind: (list, how many). URLs and addresses under a listed
# domain take its state, as spamward records it.
LISTED = {
    EntityKind.DOMAIN: (("deny", 1_000), ("allow", 200), ("ignore", 100)),
    EntityKind.PHONE: (("deny", 300),),
    EntityKind.EMAIL: (("deny", 300),),
    EntityKind.TEXT: (("ignore", 200),),
}
LISTS = ("", "deny", "allow", "ignore")  # a state's index in Catalog.listed
VERDICTS = ("allow", "flag", "challenge", "rate_limit", "hold", "block")
SPAM = frozenset({VERDICTS.index("hold"), VERDICTS.index("block")})
# Verdicts of posts on no list: with entities, and plain chat.
MIX_WITH_ENTITIES = (0.70, 0.10, 0.04, 0.02, 0.08, 0.06)
MIX_PLAIN = (0.95, 0.02, 0.0, 0.02, 0.01, 0.0)


@dataclass(slots=True)
class Catalog:
    """Every entity, by id - 1: kind, value, display, host and the list state it has."""

    kinds: list[EntityKind] = field(default_factory=list)
    values: list[str] = field(default_factory=list)
    displays: list[str] = field(default_factory=list)
    hosts: list[str | None] = field(default_factory=list)
    listed: bytearray = field(default_factory=bytearray)
    first_id: dict[EntityKind, int] = field(default_factory=dict)
    listed_ids: list[int] = field(default_factory=list)  # on a list themselves

    def add(self, kind: EntityKind, value: str, display: str, host: str | None) -> None:
        self.kinds.append(kind)
        self.values.append(value)
        self.displays.append(display)
        self.hosts.append(host)
        self.listed.append(0)


@dataclass(slots=True)
class Posts:
    times: array[float] = field(default_factory=lambda: array("d"))  # epoch seconds
    actors: array[int] = field(default_factory=lambda: array("i"))  # 0: anonymous
    starts: array[int] = field(default_factory=lambda: array("i", [0]))
    entity_ids: array[int] = field(default_factory=lambda: array("i"))
    verdicts: bytearray = field(default_factory=bytearray)

    def entities_of(self, post: int) -> array[int]:
        return self.entity_ids[self.starts[post] : self.starts[post + 1]]


@dataclass(slots=True)
class Counters:
    """What spamward keeps per entity and per user, counted from the posts; the arrays by
    entity id and by actor id (their 0 unused)."""

    posts: array[int]
    users: array[int]
    first: array[float]
    last: array[float]
    base_day: int  # the window's first day, days since the epoch
    days: dict[int, int] = field(default_factory=dict)  # posts, by entity and day
    posters: dict[int, float] = field(default_factory=dict)  # last post, by entity and actor
    actor_events: array[int] = field(default_factory=lambda: array("i", [0] * (ACTORS + 1)))
    actor_spam: array[int] = field(default_factory=lambda: array("i", [0] * (ACTORS + 1)))
    actor_first: array[float] = field(default_factory=lambda: array("d", [0.0] * (ACTORS + 1)))
    actor_last: array[float] = field(default_factory=lambda: array("d", [0.0] * (ACTORS + 1)))
    actor_verdict: bytearray = field(default_factory=lambda: bytearray(ACTORS + 1))


@dataclass(slots=True)
class Plan:
    now: float
    catalog: Catalog
    posts: Posts
    counters: Counters

    def biggest_entity(self) -> int:
        """The id of the most posted entity on no list: the head of its tab."""
        unlisted = (i for i, state in enumerate(self.catalog.listed, start=1) if not state)
        return max(unlisted, key=self.counters.posts.__getitem__)

    def busiest_actor(self) -> int:
        events = self.counters.actor_events
        return max(range(1, ACTORS + 1), key=events.__getitem__)


def plan(now: datetime) -> Plan:
    rng = random.Random(SEED)
    catalog = build_catalog(rng)
    total = len(catalog.kinds) + 1
    counters = Counters(
        array("i", [0] * total), array("i", [0] * total),
        array("d", [0.0] * total), array("d", [0.0] * total),
        int(now.timestamp() // DAY_S) - WINDOW_DAYS,
    )  # fmt: skip
    posts = _draw_posts(rng, catalog, counters, now.timestamp())
    return Plan(now.timestamp(), catalog, posts, counters)


# The entities


def build_catalog(rng: random.Random) -> Catalog:
    catalog = Catalog()
    domains = [domain_name(rng, n) for n in range(ENTITIES[EntityKind.DOMAIN])]
    in_window = _in_window(EntityKind.DOMAIN)
    catalog.first_id[EntityKind.DOMAIN] = 1
    for domain in domains:
        catalog.add(EntityKind.DOMAIN, domain, domain, domain)
    catalog.first_id[EntityKind.URL] = len(catalog.kinds) + 1
    for n in range(ENTITIES[EntityKind.URL]):
        domain = domains[n % in_window]
        url = f"{domain}/{rng.choice(WORDS)}/{n:07d}?ref={rng.randrange(10**6):06d}"
        catalog.add(EntityKind.URL, url, url, domain)
    catalog.first_id[EntityKind.PHONE] = len(catalog.kinds) + 1
    for n in range(ENTITIES[EntityKind.PHONE]):
        number = f"{5550000000 + n * 37:010d}"
        catalog.add(EntityKind.PHONE, f"+1{number}", f"({number[:3]}) {number[3:6]}-{number[6:]}",
                    None)  # fmt: skip
    catalog.first_id[EntityKind.EMAIL] = len(catalog.kinds) + 1
    for n in range(ENTITIES[EntityKind.EMAIL]):
        address = f"{rng.choice(WORDS)}.{n}@{domains[n * 7 % len(domains)]}"
        catalog.add(EntityKind.EMAIL, address, address, domains[n * 7 % len(domains)])
    catalog.first_id[EntityKind.TEXT] = len(catalog.kinds) + 1
    for n in range(ENTITIES[EntityKind.TEXT]):
        catalog.add(EntityKind.TEXT, f"{rng.getrandbits(128):032x}", _sample(rng, n, domains), None)
    _list_some(rng, catalog)
    return catalog


def _sample(rng: random.Random, n: int, domains: list[str]) -> str:
    words = " ".join(rng.choices(WORDS, k=8))
    return f"{rng.choice(WORDS).title()} offer {n}: {words}, visit {rng.choice(domains)} today"


def _in_window(kind: EntityKind) -> int:
    return round(ENTITIES[kind] * (1 - ROLLED_SHARE))


def _list_some(rng: random.Random, catalog: Catalog) -> None:
    for kind, lists in LISTED.items():
        first = catalog.first_id[kind]
        chosen = rng.sample(range(first, first + _in_window(kind)), sum(n for _, n in lists))
        for name, count in lists:
            for entity_id in chosen[:count]:
                catalog.listed[entity_id - 1] = LISTS.index(name)
                catalog.listed_ids.append(entity_id)
            chosen = chosen[count:]
    by_domain = {
        catalog.values[i - 1]: catalog.listed[i - 1]
        for i in catalog.listed_ids
        if catalog.kinds[i - 1] is EntityKind.DOMAIN
    }
    for index, host in enumerate(catalog.hosts):
        if catalog.kinds[index] in (EntityKind.URL, EntityKind.EMAIL) and host in by_domain:
            catalog.listed[index] = by_domain[host]


# The posts


def _draw_posts(rng: random.Random, catalog: Catalog, counters: Counters, now: float) -> Posts:
    posts = Posts()
    draw: dict[EntityKind, _EntityDraw] = {
        kind: _EntityDraw(rng, kind, catalog) for kind in KINDS if kind is not EntityKind.DOMAIN
    }
    start, step = now - WINDOW_DAYS * DAY_S + 60, (WINDOW_DAYS * DAY_S - 120) / POSTS
    for n in range(POSTS):
        at = start + (n + rng.random()) * step
        actor = 0 if rng.random() < ANONYMOUS_SHARE else int(ACTORS * rng.random() ** 2) + 1
        ids = _entities_of_post(rng, draw, catalog)
        verdict = _verdict(rng, catalog, ids)
        posts.times.append(at)
        posts.actors.append(actor)
        posts.entity_ids.extend(ids)
        posts.starts.append(len(posts.entity_ids))
        posts.verdicts.append(verdict)
        _count(counters, ids, actor, at, verdict)
    return posts


class _EntityDraw:
    """A kind's entity for the next post: a new one about as often as there are entities
    for the posts expected, else the long tail's head (index ~ K·u⁴)."""

    def __init__(self, rng: random.Random, kind: EntityKind, catalog: Catalog) -> None:
        self.rng, self.first, self.size = rng, catalog.first_id[kind], _in_window(kind)
        self.unused = list(range(self.size))
        rng.shuffle(self.unused)
        expected = POSTS * sum(share for share, kinds in SHAPES if kind in kinds)
        self.new_share = self.size / expected

    def next_id(self) -> int:
        if self.unused and self.rng.random() < self.new_share:
            return self.first + self.unused.pop()
        return self.first + int(self.size * self.rng.random() ** 4)


def _entities_of_post(
    rng: random.Random, draw: dict[EntityKind, _EntityDraw], catalog: Catalog
) -> list[int]:
    shape, pick = SHAPES[-1][1], rng.random()
    for share, kinds in SHAPES:
        if pick < share:
            shape = kinds
            break
        pick -= share
    ids: list[int] = []
    for kind in shape:
        entity_id = draw[kind].next_id()
        if kind is EntityKind.URL:
            ids.append(_domain_id(catalog, entity_id))
        ids.append(entity_id)
    return ids


def _domain_id(catalog: Catalog, url_id: int) -> int:
    """The domain entity of a URL: its index modulo the domains in the window."""
    index = (url_id - catalog.first_id[EntityKind.URL]) % _in_window(EntityKind.DOMAIN)
    return catalog.first_id[EntityKind.DOMAIN] + index


def _verdict(rng: random.Random, catalog: Catalog, ids: list[int]) -> int:
    states = {catalog.listed[i - 1] for i in ids}
    if LISTS.index("deny") in states:
        return VERDICTS.index("block")
    if LISTS.index("allow") in states:
        return VERDICTS.index("allow")
    mix = MIX_WITH_ENTITIES if ids else MIX_PLAIN
    pick = rng.random()
    for verdict, share in enumerate(mix):
        if pick < share:
            return verdict
        pick -= share
    return 0


def _count(counters: Counters, ids: list[int], actor: int, at: float, verdict: int) -> None:
    day = int(at // DAY_S)
    for entity_id in ids:
        if not counters.posts[entity_id]:
            counters.first[entity_id] = at
        counters.posts[entity_id] += 1
        counters.last[entity_id] = at
        key = entity_id * DAY_SLOTS + day - counters.base_day
        counters.days[key] = counters.days.get(key, 0) + 1
        if actor:
            poster = entity_id << ACTOR_BITS | actor
            if poster not in counters.posters:
                counters.users[entity_id] += 1
            counters.posters[poster] = at
    if actor:
        if not counters.actor_events[actor]:
            counters.actor_first[actor] = at
        counters.actor_events[actor] += 1
        counters.actor_spam[actor] += verdict in SPAM
        counters.actor_last[actor] = at
        counters.actor_verdict[actor] = verdict
