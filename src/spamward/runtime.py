"""What a running spamward holds: settings, the database, compiled policies and the
in-process counters, built once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TypeVar

from sqlalchemy.orm import Session

from spamward.closed_hours import ClosedHours
from spamward.engine import warm_up
from spamward.jobs import Jobs
from spamward.live_versions import LiveVersions
from spamward.model.linear import LinearModel
from spamward.policy.compiled import Policy
from spamward.policy.defaults import default_policy
from spamward.rate_limits import NoLimit, RateLimiter, rate_limiter_for
from spamward.services.decision_store import DecisionToStore, store_decisions
from spamward.settings import Settings
from spamward.signals.ip_lists import IpLists
from spamward.signals.memory_counters import MemoryCounters
from spamward.signals.redis_counters import RedisCounters
from spamward.signals.velocity import Counters
from spamward.storage.db import Database
from spamward.storage.fresh import Fresh
from spamward.storage.group_commit import GroupCommit
from spamward.storage.held_lists import HeldLists
from spamward.storage.models import ApiKey, Project
from spamward.storage.repositories.ip_lists import project_networks
from spamward.storage.repositories.projects import live_key

Clock = Callable[[], datetime]
Key = TypeVar("Key", str, int)
Row = TypeVar("Row", ApiKey, Project)


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    database: Database
    recorder: GroupCommit[DecisionToStore, int]  # decisions stored in batches: actions queued
    live_keys: Fresh[str, ApiKey]  # by key hash: who a request speaks for
    projects: Fresh[int, Project]  # settings and live versions, read on every decision
    lists: HeldLists  # every project's list entries, in memory
    ip_lists: Fresh[int, IpLists]  # every project's IP lists, in memory
    default_policy: Policy  # for judging text outside any project
    clock: Clock = field(default=utc_now)  # tests pass their own: time without sleeping
    policies: LiveVersions[Policy] = field(default_factory=LiveVersions)
    counters: Counters = field(default_factory=MemoryCounters)
    key_limits: RateLimiter = field(default_factory=NoLimit)  # requests per API key
    jobs: Jobs = field(default_factory=Jobs)
    spam_models: LiveVersions[LinearModel] = field(default_factory=LiveVersions)
    # Set when a decision queued actions: an embedded worker starts on them at once.
    actions_ready: threading.Event = field(default_factory=threading.Event)
    # Decisions by verdict in each closed hour, read once: the overview's time chart.
    decision_hours: ClosedHours = field(default_factory=ClosedHours)

    def ip_lists_of(self, project_id: int) -> IpLists:
        return self.ip_lists.get(project_id) or IpLists(())

    @property
    def is_local(self) -> bool:
        """Every store a decision reads and writes is in this process or on its disk
        (SQLite, counters and rate limits in memory): the embedded shape."""
        return self.settings.is_sqlite and self.settings.redis_url is None

    @property
    def windows(self) -> tuple[str, ...]:
        """The velocity windows rules may read (the defaults and the configured ones)."""
        return tuple(self.settings.windows)

    def close(self) -> None:
        self.jobs.shutdown()
        self.recorder.close()
        self.counters.close()
        self.key_limits.close()
        self.database.dispose()


def build_runtime(settings: Settings, clock: Clock = utc_now) -> Runtime:
    warm_up(settings.default_region)
    database = Database(settings)
    recorder = GroupCommit(
        database, store_decisions, settings.group_commit_max_batch,
        settings.group_commit_max_waiting,
    )  # fmt: skip
    max_age = settings.fresh_seconds
    live_keys, projects = _fresh_rows(database, max_age)
    return Runtime(
        settings, database, recorder, live_keys, projects, HeldLists(database, max_age),
        _held_ip_lists(database, max_age), default_policy(), clock,
        counters=counters_for(settings), key_limits=rate_limiter_for(settings),
    )  # fmt: skip


def _fresh_rows(
    database: Database, max_age: float
) -> tuple[Fresh[str, ApiKey], Fresh[int, Project]]:
    def read(load: Callable[[Session, Key], Row | None]) -> Callable[[Key], Row | None]:
        def loaded(key: Key) -> Row | None:
            with database.read() as session:
                return load(session, key)

        return loaded

    def project(session: Session, project_id: int) -> Project | None:
        return session.get(Project, project_id)

    live_keys = Fresh(read(live_key), max_age)
    projects = Fresh(read(project), max_age)
    database.on_commit_to(frozenset({"api_keys"}), live_keys.forget)
    database.on_commit_to(frozenset({"projects"}), projects.forget)
    return live_keys, projects


def _held_ip_lists(database: Database, max_age: float) -> Fresh[int, IpLists]:
    def load(project_id: int) -> IpLists:
        with database.read() as session:
            return IpLists(project_networks(session, project_id))

    held = Fresh(load, max_age)
    database.on_commit_to(frozenset({"ip_list_entries"}), held.forget)
    return held


def counters_for(settings: Settings) -> Counters:
    """Velocity counters in Redis when one is configured (scaled mode), else in memory."""
    if settings.redis_url is None:
        return MemoryCounters(settings.windows)
    return RedisCounters(settings.redis_url, prefix=settings.redis_prefix, windows=settings.windows)
