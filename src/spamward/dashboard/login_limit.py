"""Login rate limiting: after 5 failed logins for an e-mail or from an IP within 15 minutes,
further attempts are refused until the oldest failure ages out. In embedded mode the
failures are kept in the process; in scaled mode in Redis, so that every API process
counts them together (and, should Redis not answer, in the process again)."""

from __future__ import annotations

import hashlib
import logging
import threading
import time
import uuid
from collections import defaultdict, deque
from typing import Protocol

import redis

from spamward.settings import Settings

log = logging.getLogger(__name__)

MAX_FAILURES = 5
WINDOW_SECONDS = 15 * 60


class LoginLimits(Protocol):
    def retry_after(self, *keys: str) -> int:
        """Seconds until a login for these keys (e-mail, IP) may be tried; 0: now."""
        ...

    def failed(self, *keys: str) -> None: ...

    def succeeded(self, *keys: str) -> None: ...


class LoginLimiter:
    def __init__(self, max_failures: int = MAX_FAILURES, window: float = WINDOW_SECONDS) -> None:
        self._max, self._window = max_failures, window
        self._failures: defaultdict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def retry_after(self, *keys: str) -> int:
        """Seconds until a login for these keys (e-mail, IP) may be tried; 0: now."""
        now = time.monotonic()
        with self._lock:
            waits = [self._wait(key, now) for key in keys]
        return max(waits, default=0)

    def failed(self, *keys: str) -> None:
        now = time.monotonic()
        with self._lock:
            for key in keys:
                self._failures[key].append(now)

    def succeeded(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)

    def _wait(self, key: str, now: float) -> int:
        failures = self._failures.get(key)
        if not failures:
            return 0
        while failures and failures[0] <= now - self._window:
            failures.popleft()
        if len(failures) < self._max:
            return 0
        return int(failures[0] + self._window - now) + 1


# KEYS: each key's failures (a sorted set scored by time). ARGV: now, window, max.
# Returns the seconds until the most refused key may try again, 0 when none is refused.
_WAIT = """
local wait = 0
for _, key in ipairs(KEYS) do
  redis.call('ZREMRANGEBYSCORE', key, '-inf', tonumber(ARGV[1]) - tonumber(ARGV[2]))
  if redis.call('ZCARD', key) >= tonumber(ARGV[3]) then
    local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')[2]
    wait = math.max(wait, math.floor(tonumber(oldest) + tonumber(ARGV[2]) - tonumber(ARGV[1])) + 1)
  end
end
return wait
"""


class RedisLoginLimiter:
    """The same limits, counted in Redis by every process; in this process while Redis
    does not answer."""

    def __init__(self, url: str, prefix: str, timeout: float = 0.2) -> None:
        self._client = redis.Redis.from_url(
            url, socket_timeout=timeout, socket_connect_timeout=timeout
        )
        self._wait = self._client.register_script(_WAIT)
        self._prefix = f"{prefix}:login"
        self._fallback = LoginLimiter()

    def retry_after(self, *keys: str) -> int:
        try:
            now = time.time()
            return int(self._wait(keys=self._keys(keys), args=[now, WINDOW_SECONDS, MAX_FAILURES]))
        except redis.RedisError as error:
            log.warning("login limits kept in this process, Redis unavailable: %s", error)
            return self._fallback.retry_after(*keys)

    def failed(self, *keys: str) -> None:
        self._fallback.failed(*keys)
        now = time.time()
        try:
            with self._client.pipeline() as pipeline:
                for key in self._keys(keys):
                    pipeline.zadd(key, {f"{now}:{uuid.uuid4().hex[:8]}": now})
                    pipeline.expire(key, WINDOW_SECONDS)
                pipeline.execute()
        except redis.RedisError as error:
            log.warning("login failure counted in this process only: %s", error)

    def succeeded(self, *keys: str) -> None:
        self._fallback.succeeded(*keys)
        try:
            self._client.delete(*self._keys(keys))
        except redis.RedisError as error:
            log.warning("login failures not cleared in Redis: %s", error)

    def _keys(self, keys: tuple[str, ...]) -> list[str]:
        """Digests: an e-mail address is no key name to leave readable in Redis."""
        return [f"{self._prefix}:{hashlib.sha256(k.encode()).hexdigest()[:32]}" for k in keys]


def login_limits_for(settings: Settings) -> LoginLimits:
    if settings.redis_url:
        return RedisLoginLimiter(settings.redis_url, settings.redis_prefix)
    return LoginLimiter()
