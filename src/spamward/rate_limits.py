"""Request rate limits per API key (not the spam `rate_limit` verdict, which is about the
site's users): each key may send `rate` requests a second on average, `burst` at once.

The generic cell rate algorithm keeps one number per key, the time at which its bucket is
empty again (the theoretical arrival time, TAT): a request is let in when the TAT is at most
`burst` intervals ahead of now, and moves it on by one interval. In embedded mode the TATs
live in this process; in scaled mode in Redis, by Redis's clock, so every API process
counts against one limit. When Redis does not answer, requests are let in (the limit
protects spamward, it must not take it down) and Redis is left alone for a few seconds.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from typing import Protocol

import redis

from spamward.settings import Settings

log = logging.getLogger(__name__)

# KEYS: the key's TAT. ARGV: the interval, the tolerance (both in seconds).
# Returns "0" when let in, else the seconds to wait.
_TAKE = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local interval, tolerance = tonumber(ARGV[1]), tonumber(ARGV[2])
local tat = math.max(tonumber(redis.call('GET', KEYS[1]) or now), now)
local wait = tat - now - tolerance
if wait > 0 then return tostring(wait) end
local ahead = tat + interval - now
redis.call('SET', KEYS[1], tostring(tat + interval), 'PX', math.ceil(ahead * 1000) + 1000)
return '0'
"""
_FORGET_AFTER = 10_000  # keys held in memory before the ones already past are dropped


class RateLimiter(Protocol):
    def wait_for(self, key: str) -> float:
        """0 and the request counts, or the seconds until one may be sent."""
        ...

    def close(self) -> None: ...


class NoLimit:
    def wait_for(self, key: str) -> float:
        return 0.0

    def close(self) -> None:
        """Nothing held."""


class MemoryRateLimiter:
    def __init__(self, rate: float, burst: int) -> None:
        self._interval = 1.0 / rate
        self._tolerance = self._interval * (burst - 1)
        self._tat: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait_for(self, key: str) -> float:
        now = time.monotonic()
        with self._lock:
            tat = max(self._tat.get(key, now), now)
            wait = tat - now - self._tolerance
            if wait > 0:
                return wait
            self._tat[key] = tat + self._interval
            if len(self._tat) > _FORGET_AFTER:
                self._tat = {k: t for k, t in self._tat.items() if t > now}
        return 0.0

    def close(self) -> None:
        """Nothing held outside memory."""


class RedisRateLimiter:
    def __init__(
        self, url: str, prefix: str, rate: float, burst: int, timeout: float = 0.05
    ) -> None:
        self._client = redis.Redis.from_url(
            url, socket_timeout=timeout, socket_connect_timeout=timeout
        )
        self._take = self._client.register_script(_TAKE)
        self._prefix = f"{prefix}:rate"
        self._interval = 1.0 / rate
        self._tolerance = self._interval * (burst - 1)
        self._down_until = 0.0

    def wait_for(self, key: str) -> float:
        if time.monotonic() < self._down_until:
            return 0.0
        try:
            wait = self._take(keys=[f"{self._prefix}:{key}"],
                              args=[self._interval, self._tolerance])  # fmt: skip
        except redis.RedisError as error:
            self._down_until = time.monotonic() + 5.0
            log.warning("API rate limits off, Redis unavailable: %s", error)
            return 0.0
        return float(wait)

    def close(self) -> None:
        self._client.close()


def rate_limiter_for(settings: Settings) -> RateLimiter:
    rate, burst = settings.api_key_rate_per_second, settings.api_key_burst
    if rate == 0:
        return NoLimit()
    if settings.redis_url:
        return RedisRateLimiter(settings.redis_url, settings.redis_prefix, rate, burst)
    return MemoryRateLimiter(rate, burst)


def retry_after_seconds(wait: float) -> int:
    """What a `Retry-After` header says: whole seconds, at least 1."""
    return max(1, math.ceil(wait))
