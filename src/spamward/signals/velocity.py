"""Velocity: how many actions a user and an IP made over sliding windows.

Read while deciding (the counts before this event), committed after the decision is
stored. This in-process counter serves embedded mode; the Redis-backed one for scaled mode
comes with the signals work and keeps the same two calls.
"""

from __future__ import annotations

import bisect
import threading
from datetime import datetime
from typing import Protocol

from spamward.domain.event import Event

WINDOWS = {"1m": 60, "10m": 600, "1h": 3600, "1d": 86400}
_LONGEST = max(WINDOWS.values())
_KEPT_PER_KEY = 5000  # a counter saturates here: enough for any limit a rule sets
_SWEEP_EVERY = 10000


class Velocity(Protocol):
    def read(self, project_id: int, event: Event, now: datetime) -> dict[str, int]: ...
    def commit(self, project_id: int, event: Event, now: datetime) -> None: ...


class MemoryVelocity:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._times: dict[tuple[int, str, str], list[float]] = {}
        self._commits = 0

    def read(self, project_id: int, event: Event, now: datetime) -> dict[str, int]:
        at = now.timestamp()
        counts: dict[str, int] = {}
        with self._lock:
            for who, key in _keys(event):
                times = self._times.get((project_id, who, key), [])
                for window, seconds in WINDOWS.items():
                    counts[f"{who}_{window}"] = len(times) - bisect.bisect_right(
                        times, at - seconds
                    )
        return counts

    def commit(self, project_id: int, event: Event, now: datetime) -> None:
        at = now.timestamp()
        with self._lock:
            for who, key in _keys(event):
                times = self._times.setdefault((project_id, who, key), [])
                bisect.insort(times, at)
                if len(times) > _KEPT_PER_KEY:
                    del times[: len(times) - _KEPT_PER_KEY]
            self._commits += 1
            if self._commits % _SWEEP_EVERY == 0:
                self._sweep(at - _LONGEST)

    def _sweep(self, oldest: float) -> None:
        for key in [key for key, times in self._times.items() if times[-1] < oldest]:
            del self._times[key]
        for times in self._times.values():
            del times[: bisect.bisect_right(times, oldest)]


def _keys(event: Event) -> list[tuple[str, str]]:
    keys = []
    if event.actor.user_id:
        keys.append(("user", event.actor.user_id))
    if event.actor.ip:
        keys.append(("ip", event.actor.ip))
    return keys
