"""Rows the decision path reads on every request (API keys, project settings), kept in
process for a moment instead of read each time.

A value is kept at most `max_age` seconds, so a change made by another process applies here
within that; a change committed by this process forgets every value at once (the database
calls `forget` when a write to a watched table commits), so this process never reads its
own stale settings.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

Key = TypeVar("Key", bound=Hashable)
Value = TypeVar("Value")


class Fresh(Generic[Key, Value]):
    def __init__(
        self,
        load: Callable[[Key], Value | None],
        max_age: float,
        max_entries: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._load = load
        self._max_age = max_age
        self._max_entries = max_entries
        self._clock = clock
        self._held: dict[Key, tuple[float, int, Value]] = {}
        self._generation = 0
        self._lock = threading.Lock()

    def get(self, key: Key) -> Value | None:
        """The value for `key`, loaded again when older than `max_age` or forgotten; None
        (never kept, so unknown keys can't fill the memory) when there is none."""
        now = self._clock()
        held = self._held.get(key)
        if held is not None and self._is_fresh(held, now):
            return held[2]
        generation = self._generation
        value = self._load(key)
        if value is not None and self._max_age > 0:
            self._keep(key, (now, generation, value))
        return value

    def holds(self, key: Key) -> bool:
        """Whether `get(key)` would answer without loading."""
        held = self._held.get(key)
        return held is not None and self._is_fresh(held, self._clock())

    def _is_fresh(self, held: tuple[float, int, Value], now: float) -> bool:
        return now - held[0] < self._max_age and held[1] == self._generation

    def forget(self) -> None:
        with self._lock:
            self._generation += 1
            self._held.clear()

    def _keep(self, key: Key, entry: tuple[float, int, Value]) -> None:
        with self._lock:
            if len(self._held) >= self._max_entries:
                self._held.clear()
            self._held[key] = entry
