"""The Spam Manager against a tab of 500,000 entities: the cost of recording a decision with
its entities, and of listing the tab (first page, a deep page, a search), on SQLite and
PostgreSQL.

The entities are inserted directly (SQLAlchemy Core, executemany in chunks): TAB_ENTITIES
URLs under DOMAINS domains, plus those domains and a few thousand e-mail addresses, phone
numbers and duplicate texts, so that the tab's index holds other kinds too. Posts per entity
follow a long tail (most posted once, a few thousand times), last posted spreads over the
14-day window (a share before it, rolled out to zero posts), and a few entities are on a list,
so that the tab's sorting and filtering have work to do. Decisions are made on the bench
corpus's posts, whose links are new to the table at first and then posted again.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import islice
from typing import Any

from sqlalchemy import func, insert, select, text

from bench.corpus import Corpus
from bench.databases import postgres_url, sqlite_url
from bench.timing import Timing, time_calls
from spamward.api.schemas import EventIn
from spamward.domain.entity import EntityKind
from spamward.domain.event import Event
from spamward.runtime import Runtime, build_runtime
from spamward.services.decisions import decide
from spamward.services.projects import create_project
from spamward.services.spam_manager import entity_tab, window_start
from spamward.settings import Settings
from spamward.storage.db import Database
from spamward.storage.migrate import upgrade
from spamward.storage.models import Entity

POSTGRES_SCHEMA = "spamward_bench_sm"
TAB_ENTITIES = 500_000
DOMAINS = 20_000
OTHERS_PER_KIND = 5_000  # e-mail addresses, phone numbers, duplicate texts
CHUNK = 10_000
WINDOW_DAYS = 14  # the project's default window
OUTSIDE_WINDOW_SHARE = 0.05  # last posted before the window: counters rolled to zero
LISTED = (("deny", 0.02), ("allow", 0.007), ("ignore", 0.003))
DECIDE_CALLS = 1_000
PAGE_CALLS = 300
DEEP_OFFSET = 10_000
DEEP_CALLS = 100
SEARCH_CALLS = 30
SEED = 2026
WORDS = (
    "cheap", "deal", "promo", "win", "cash", "free", "gift", "crypto", "loan", "pills",
    "bonus", "prize", "shop", "club", "vip", "fast", "best", "top", "mega", "easy",
)  # fmt: skip
TLDS = ("com", "net", "info", "xyz", "top", "co.uk", "ru", "io", "biz", "online")


@dataclass(frozen=True, slots=True)
class DatabaseFigures:
    database: str
    entities: int  # rows in the entities table
    tab_rows: int  # of them, rows the timed tab lists
    seeding_s: float
    timings: list[Timing]


@dataclass(frozen=True, slots=True)
class SpamManagerResults:
    databases: list[DatabaseFigures]
    skipped: list[str]


def run_spam_manager(corpus: Corpus, progress: Callable[[str], None]) -> SpamManagerResults:
    events = [_event(corpus, index) for index in range(len(corpus.posts))]
    figures: list[DatabaseFigures] = []
    progress(f"Spam Manager on SQLite ({TAB_ENTITIES:,} entities in a tab)")
    with sqlite_url() as url:
        figures.append(_measure("SQLite", url, events, progress))
    progress(f"Spam Manager on PostgreSQL ({TAB_ENTITIES:,} entities in a tab)")
    with postgres_url(POSTGRES_SCHEMA) as pg_url:
        if pg_url is None:
            return SpamManagerResults(figures, ["Spam Manager (PostgreSQL): not reachable"])
        figures.append(_measure("PostgreSQL", pg_url, events, progress))
    return SpamManagerResults(figures, [])


def _event(corpus: Corpus, index: int) -> Event:
    return EventIn.model_validate(corpus.event_body(index)).to_event(datetime.now(UTC))


def _measure(
    name: str, url: str, events: list[Event], progress: Callable[[str], None]
) -> DatabaseFigures:
    runtime = build_runtime(Settings(database_url=url))
    try:
        upgrade(runtime.database)
        project_id = create_project(runtime.database, "bench").id
        started = time.perf_counter()
        entities = seed_entities(runtime.database, project_id, datetime.now(UTC))
        seeding_s = time.perf_counter() - started
        progress(f"  {entities:,} entities seeded in {seeding_s:.1f} s; timing")
        tab_rows = _tab_rows(runtime, project_id)
        timings = _timings(name, runtime, project_id, events)
        return DatabaseFigures(name, entities, tab_rows, seeding_s, timings)
    finally:
        runtime.close()


# Seeding


def seed_entities(database: Database, project_id: int, now: datetime) -> int:
    """Insert the entities in chunks; the number inserted. PostgreSQL then gathers statistics,
    as its autovacuum would shortly after; SQLite gets none, as spamward never runs ANALYZE."""
    inserted = 0
    rows = _entity_rows(random.Random(SEED), project_id, now)
    while chunk := list(islice(rows, CHUNK)):
        with database.write() as session:
            session.execute(insert(Entity), chunk)
        inserted += len(chunk)
    if database.dialect == "postgresql":
        with database.write() as session:
            session.execute(text("ANALYZE entities"))
    return inserted


def _entity_rows(rng: random.Random, project_id: int, now: datetime) -> Iterator[dict[str, Any]]:
    domains = [domain_name(rng, n) for n in range(DOMAINS)]
    for domain in domains:
        yield _row(rng, project_id, now, EntityKind.DOMAIN, domain, domain, domain)
    for n in range(TAB_ENTITIES):
        domain = domains[n % DOMAINS]
        url = f"{domain}/{rng.choice(WORDS)}/{n:07d}?ref={rng.randrange(10**6):06d}"
        yield _row(rng, project_id, now, EntityKind.URL, url, url, domain)
    for n in range(OTHERS_PER_KIND):
        yield from _other_rows(rng, project_id, now, n, domains[n % DOMAINS])


def _other_rows(
    rng: random.Random, project_id: int, now: datetime, n: int, domain: str
) -> Iterator[dict[str, Any]]:
    email = f"{rng.choice(WORDS)}.{n}@{domain}"
    yield _row(rng, project_id, now, EntityKind.EMAIL, email, email, domain)
    number = f"{5550000000 + n * 37:010d}"
    phone = f"({number[:3]}) {number[3:6]}-{number[6:]}"
    yield _row(rng, project_id, now, EntityKind.PHONE, f"+1{number}", phone, None)
    sample = f"{rng.choice(WORDS).title()} offer number {n}: visit {domain} " * 3
    key = f"{rng.getrandbits(128):032x}"
    yield _row(rng, project_id, now, EntityKind.TEXT, key, sample.strip(), None)


def domain_name(rng: random.Random, n: int) -> str:
    return f"{rng.choice(WORDS)}{rng.choice(WORDS)}{n}.{rng.choice(TLDS)}"


def _row(
    rng: random.Random,
    project_id: int,
    now: datetime,
    kind: EntityKind,
    value: str,
    display: str,
    host: str | None,
) -> dict[str, Any]:
    inside = rng.random() >= OUTSIDE_WINDOW_SHARE
    days_ago = rng.uniform(0, WINDOW_DAYS) if inside else rng.uniform(WINDOW_DAYS + 1, 90)
    last_seen = now - timedelta(days=days_ago)
    posts = min(int(rng.paretovariate(1.3)), 5_000) if inside else 0
    return {
        "project_id": project_id,
        "kind": kind.value,
        "value": value,
        "display": display,
        "host": host,
        "first_seen_at": last_seen - timedelta(days=rng.uniform(0, 60)),
        "last_seen_at": last_seen,
        "post_count": posts,
        "user_count": rng.randint(1, posts) if posts else 0,
        "list_state": _list_state(rng),
    }


def _list_state(rng: random.Random) -> str | None:
    draw = rng.random()
    for state, share in LISTED:
        if draw < share:
            return state
        draw -= share
    return None


# Timing


def _timings(name: str, runtime: Runtime, project_id: int, events: list[Event]) -> list[Timing]:
    search = _rare_search(runtime, project_id)

    def decide_one(event: Event) -> object:
        return decide(runtime, project_id, event)

    def tab_page(offset: int, search: str | None = None) -> Callable[[object], object]:
        return lambda _: entity_tab(runtime, project_id, EntityKind.URL, search, 50, offset)

    once = [None]
    return [
        time_calls(f"decide, {name}", decide_one, events, DECIDE_CALLS, warmup=len(events)),
        time_calls(f"URL tab, first page, {name}", tab_page(0), once, PAGE_CALLS, warmup=5),
        time_calls(
            f"URL tab, offset {DEEP_OFFSET:,}, {name}", tab_page(DEEP_OFFSET), once,
            DEEP_CALLS, warmup=3,
        ),
        time_calls(
            f"URL tab, search {search!r}, {name}", tab_page(0, search), once, SEARCH_CALLS,
            warmup=2,
        ),
    ]  # fmt: skip


def _rare_search(runtime: Runtime, project_id: int) -> str:
    """A domain of the seeded URLs: a moderator looking one site up. It matches a few dozen
    rows of the tab, so the search reads the whole tab to fill its first page."""
    with runtime.database.read() as session:
        domain = session.scalar(
            select(Entity.display)
            .where(Entity.project_id == project_id, Entity.kind == EntityKind.DOMAIN.value)
            .order_by(Entity.id)
            .limit(1)
        )
    assert domain is not None
    return str(domain)


def _tab_rows(runtime: Runtime, project_id: int) -> int:
    start = window_start(runtime, WINDOW_DAYS)
    with runtime.database.read() as session:
        rows = session.scalar(
            select(func.count())
            .select_from(Entity)
            .where(
                Entity.project_id == project_id,
                Entity.kind == EntityKind.URL.value,
                Entity.list_state.is_(None),
                Entity.post_count > 0,
                Entity.last_seen_at >= start,
            )
        )
    return int(rows or 0)
