"""Login rate limiting: after 5 failed logins for an e-mail or from an IP within 15 minutes,
further attempts are refused until the oldest failure ages out. Kept per process (each
process holds its own count; issue 10 moves shared limits to Redis)."""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque

MAX_FAILURES = 5
WINDOW_SECONDS = 15 * 60


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
