"""Velocity counters per post: a read (while deciding) and a commit (after storing), in
memory and in Redis, with every corpus post's subjects already counted once."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import redis

from bench.corpus import REGION
from bench.timing import Timing, time_calls
from spamward.domain.event import Event
from spamward.signals.memory_counters import MemoryCounters
from spamward.signals.redis_counters import RedisCounters
from spamward.signals.velocity import Counters, Subjects, subjects_of
from spamward.text.extract import extract

CALLS = 3_000
REDIS_URL = "redis://127.0.0.1:6379/0"


def counter_timings(events: list[Event]) -> tuple[list[Timing], list[str]]:
    subjects = [subjects_of(e, extract(e.content.judged_text(), REGION)) for e in events]
    timings = _timings("memory", MemoryCounters(), subjects)
    prefix = f"swbench{uuid.uuid4().hex[:8]}"
    counters = RedisCounters(REDIS_URL, prefix=prefix, timeout=1.0)
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return timings, ["velocity counters (Redis): not reachable"]
    try:
        return timings + _timings("Redis", counters, subjects), []
    finally:
        _forget(prefix)
        counters.close()


def _timings(name: str, counters: Counters, subjects: list[Subjects]) -> list[Timing]:
    start = datetime.now(UTC)
    for index, subs in enumerate(subjects):
        counters.commit(1, subs, f"seed{index}", start)
    clock = iter(start + timedelta(milliseconds=n) for n in range(10**7))
    ids = iter(range(10**7))
    read = time_calls(
        f"velocity read per post ({name})",
        lambda subs: counters.read(1, subs, next(clock)), subjects, CALLS, warmup=len(subjects),
    )  # fmt: skip
    commit = time_calls(
        f"velocity commit per post ({name})",
        lambda subs: counters.commit(1, subs, str(next(ids)), next(clock)), subjects, CALLS,
        warmup=len(subjects),
    )  # fmt: skip
    return [read, commit]


def _forget(prefix: str) -> None:
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(f"{prefix}:*", count=1000))
    for start in range(0, len(keys), 1000):
        client.delete(*keys[start : start + 1000])
    client.close()
