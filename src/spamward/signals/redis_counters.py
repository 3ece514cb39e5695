"""Velocity counters in Redis: scaled mode, shared by every process.

Each subject is a sorted set scored by time: one member per event (the event id), or one
per user for distinct counts (a user's score is their last time). A read is one script
call counting every subject in every window; a commit is one script call adding the
members, trimming what is older than the longest window and setting a TTL, so idle keys
vanish. Scripts run atomically, in one round trip.

Redis must never hold up a decision: calls time out quickly, and after a failure Redis is
left alone for `retry_after` seconds. Meanwhile reads answer zeros marked `degraded`
(rules see it in the reasons) and commits are dropped; counting resumes when Redis does.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Mapping
from datetime import datetime

import redis

from spamward.domain.velocity import WINDOWS
from spamward.signals.velocity import (
    Counts,
    Reading,
    Subject,
    Subjects,
    reading_of,
)

log = logging.getLogger(__name__)

# KEYS: the subjects' sorted sets. ARGV: now, then each window's length in seconds.
# Returns, per key and window, the members scored in (now - window, now].
_COUNT = """
local now = tonumber(ARGV[1])
local counts = {}
for _, key in ipairs(KEYS) do
  for w = 2, #ARGV do
    counts[#counts + 1] = redis.call('ZCOUNT', key, '(' .. (now - tonumber(ARGV[w])), now)
  end
end
return counts
"""
# KEYS: the subjects' sorted sets. ARGV: now, the oldest time kept, the TTL, then each
# key's member (an event id, or the user for distinct counts: GT keeps its latest time).
_ADD = """
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, 'GT', ARGV[1], ARGV[3 + i])
  redis.call('ZREMRANGEBYSCORE', key, '-inf', '(' .. ARGV[2])
  redis.call('EXPIRE', key, ARGV[3])
end
return #KEYS
"""


class RedisCounters:
    def __init__(
        self,
        url: str,
        prefix: str = "sw",
        timeout: float = 0.05,
        retry_after: float = 5.0,
        windows: Mapping[str, int] = WINDOWS,
    ) -> None:
        self._windows = dict(windows)
        self._longest = max(self._windows.values())
        self._client = redis.Redis.from_url(
            url, socket_timeout=timeout, socket_connect_timeout=timeout
        )
        self._prefix = f"{prefix}:v"
        self._count = self._client.register_script(_COUNT)
        self._add = self._client.register_script(_ADD)
        self._retry_after = retry_after
        self._lock = threading.Lock()
        self._down_until = 0.0

    def read(self, project_id: int, subjects: Subjects, now: datetime) -> Reading:
        every = subjects.all()
        if not every or self._resting():
            return reading_of(subjects, {}, self._windows, degraded=bool(every))
        keys = [self._key(project_id, subject) for subject in every]
        try:
            replies = self._count(keys=keys, args=[now.timestamp(), *self._windows.values()])
        except redis.RedisError as error:
            self._rest(error)
            return reading_of(subjects, {}, self._windows, degraded=True)
        width = len(self._windows)
        counts: Counts = {
            subject: tuple(int(n) for n in replies[i * width : (i + 1) * width])
            for i, subject in enumerate(every)
        }
        return reading_of(subjects, counts, self._windows)

    def commit(self, project_id: int, subjects: Subjects, event_id: str, now: datetime) -> None:
        every = subjects.all()
        if not every or self._resting():
            return
        at = now.timestamp()
        keys = [self._key(project_id, subject) for subject in every]
        members = [subject.member or event_id for subject in every]
        try:
            self._add(keys=keys, args=[at, at - self._longest, self._longest + 60, *members])
        except redis.RedisError as error:
            self._rest(error)

    def close(self) -> None:
        self._client.close()

    def _key(self, project_id: int, subject: Subject) -> str:
        value = subject.key
        if len(value) > 100:  # long URLs and fingerprints: a digest keeps keys short
            value = hashlib.sha256(value.encode()).hexdigest()
        # The project in braces: a Redis Cluster keeps a project's keys in one slot, so one
        # script can touch them all.
        return f"{self._prefix}:{{{project_id}}}:{subject.name}:{value}"

    def _resting(self) -> bool:
        return time.monotonic() < self._down_until

    def _rest(self, error: Exception) -> None:
        with self._lock:
            self._down_until = time.monotonic() + self._retry_after
        log.warning("velocity counters degraded, Redis unavailable: %s", error)
