"""Velocity counters in Redis: scaled mode, shared by every process.

Each subject is a sorted set scored by time: one member per event (the event id), or one
per user for distinct counts (a user's score is their last time). A read is one pipeline
of ZCOUNTs; a commit is one pipeline of ZADD, a trim of what is older than the longest
window and an EXPIRE, so idle keys vanish.

Redis must never hold up a decision: calls time out quickly, and after a failure Redis is
left alone for `retry_after` seconds. Meanwhile reads answer zeros marked `degraded`
(rules see it in the reasons) and commits are dropped; counting resumes when Redis does.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from datetime import datetime

import redis

from spamward.domain.velocity import LONGEST_WINDOW, WINDOWS
from spamward.signals.velocity import (
    Counts,
    Reading,
    Subject,
    Subjects,
    reading_of,
)

log = logging.getLogger(__name__)


class RedisCounters:
    def __init__(
        self, url: str, prefix: str = "sw", timeout: float = 0.05, retry_after: float = 5.0
    ) -> None:
        self._client = redis.Redis.from_url(
            url, socket_timeout=timeout, socket_connect_timeout=timeout
        )
        self._prefix = f"{prefix}:v"
        self._retry_after = retry_after
        self._lock = threading.Lock()
        self._down_until = 0.0

    def read(self, project_id: int, subjects: Subjects, now: datetime) -> Reading:
        every = subjects.all()
        if not every or self._resting():
            return reading_of(subjects, {}, degraded=bool(every))
        at = now.timestamp()
        pipe = self._client.pipeline(transaction=False)
        for subject in every:
            for seconds in WINDOWS.values():
                pipe.zcount(self._key(project_id, subject), f"({at - seconds}", at)
        try:
            replies = pipe.execute()
        except redis.RedisError as error:
            self._rest(error)
            return reading_of(subjects, {}, degraded=True)
        width = len(WINDOWS)
        counts: Counts = {
            subject: tuple(int(n) for n in replies[i * width : (i + 1) * width])
            for i, subject in enumerate(every)
        }
        return reading_of(subjects, counts)

    def commit(self, project_id: int, subjects: Subjects, event_id: str, now: datetime) -> None:
        every = subjects.all()
        if not every or self._resting():
            return
        at = now.timestamp()
        pipe = self._client.pipeline(transaction=False)
        for subject in every:
            key = self._key(project_id, subject)
            # gt: a late commit of an older event never moves a user's time back.
            pipe.zadd(key, {subject.member or event_id: at}, gt=True)
            pipe.zremrangebyscore(key, "-inf", f"({at - LONGEST_WINDOW}")
            pipe.expire(key, LONGEST_WINDOW + 60)
        try:
            pipe.execute()
        except redis.RedisError as error:
            self._rest(error)

    def close(self) -> None:
        self._client.close()

    def _key(self, project_id: int, subject: Subject) -> str:
        value = subject.key
        if len(value) > 100:  # long URLs and fingerprints: a digest keeps keys short
            value = hashlib.sha256(value.encode()).hexdigest()
        return f"{self._prefix}:{project_id}:{subject.name}:{value}"

    def _resting(self) -> bool:
        return time.monotonic() < self._down_until

    def _rest(self, error: Exception) -> None:
        with self._lock:
            self._down_until = time.monotonic() + self._retry_after
        log.warning("velocity counters degraded, Redis unavailable: %s", error)
