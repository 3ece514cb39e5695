"""Velocity counters in the process's memory: embedded mode, one process.

Exact sliding windows: each subject keeps the times of its events (at most
`KEPT_PER_SUBJECT`, enough for any limit a rule sets) or, for distinct counts, each user's
last time, with those last times also kept sorted so that a window's count is a bisection
however many users a subject has. What is older than the longest window is swept: each
commit visits a share of the subjects, so that each is visited about every `SWEEP_EVERY`
commits and no one commit pays for a sweep of everything (which took over half a second
at 60,000 subjects, on the event loop).
"""

from __future__ import annotations

import bisect
import threading
from collections import deque
from collections.abc import Mapping
from datetime import datetime
from typing import TypeVar

from spamward.domain.velocity import WINDOWS
from spamward.signals.velocity import (
    Counts,
    Reading,
    Subject,
    Subjects,
    reading_of,
)

KEPT_PER_SUBJECT = 5000
SWEEP_EVERY = 10000  # commits in which each subject is visited about once

Key = tuple[int, str, str]  # project, subject name, subject key
Held = TypeVar("Held", list[float], "_Members")


class MemoryCounters:
    def __init__(self, windows: Mapping[str, int] = WINDOWS) -> None:
        self._windows = dict(windows)
        self._spans = tuple(self._windows.values())
        self._zeros = (0,) * len(self._spans)
        self._longest = max(self._spans)
        self._lock = threading.Lock()
        self._times: dict[Key, list[float]] = {}
        self._members: dict[Key, _Members] = {}
        self._unswept: deque[Key] = deque()  # every subject once, in the order sweeps visit

    def read(self, project_id: int, subjects: Subjects, now: datetime) -> Reading:
        at = now.timestamp()
        counts: Counts = {}
        with self._lock:
            for subject in subjects.all():
                counts[subject] = self._counts(project_id, subject, at)
        return reading_of(subjects, counts, self._windows)

    def commit(self, project_id: int, subjects: Subjects, event_id: str, now: datetime) -> None:
        at = now.timestamp()
        with self._lock:
            for subject in subjects.all():
                key = (project_id, subject.name, subject.key)
                if subject.member is None:
                    times = self._times.get(key)
                    if times is None:
                        times = self._new(self._times, key, [])
                    bisect.insort(times, at)
                    del times[: max(0, len(times) - KEPT_PER_SUBJECT)]
                else:
                    members = self._members.get(key)
                    if members is None:
                        members = self._new(self._members, key, _Members())
                    members.saw(subject.member, at)
            self._sweep_share(at - self._longest)

    def held_subjects(self) -> int:
        """How many subjects the memory holds (swept ones are gone)."""
        return len(self._times) + len(self._members)

    def close(self) -> None:
        """Nothing to release: the counts live and die with the process."""

    def _counts(self, project_id: int, subject: Subject, at: float) -> tuple[int, ...]:
        key = (project_id, subject.name, subject.key)
        if subject.member is None:
            times = self._times.get(key, _NONE)
        else:
            members = self._members.get(key)
            times = _NONE if members is None else members.last_times
        if not times:
            return self._zeros
        until = bisect.bisect_right(times, at)
        return tuple([until - bisect.bisect_right(times, at - span) for span in self._spans])

    def _new(self, held: dict[Key, Held], key: Key, empty: Held) -> Held:
        held[key] = empty
        self._unswept.append(key)
        return empty

    def _sweep_share(self, oldest: float) -> None:
        """Visit this commit's share of the subjects, forgetting what is before `oldest`."""
        held = len(self._unswept)
        for _ in range(min(held, held // SWEEP_EVERY + 1)):
            key = self._unswept.popleft()
            if self._forget_before(key, oldest):
                self._unswept.append(key)  # something left: visited again next round

    def _forget_before(self, key: Key, oldest: float) -> bool:
        """Forget the subject's times before `oldest`, and the subject if that was all; whether
        it is still held."""
        times = self._times.get(key)
        if times is not None:
            del times[: bisect.bisect_right(times, oldest)]
            if not times:
                del self._times[key]
            return bool(times)
        if self._members[key].forget_before(oldest):
            return True
        del self._members[key]
        return False


_NONE: list[float] = []


class _Members:
    """Each member's last time, and the same times sorted."""

    __slots__ = ("last", "last_times")

    def __init__(self) -> None:
        self.last: dict[str, float] = {}
        self.last_times: list[float] = []

    def saw(self, member: str, at: float) -> None:
        previous = self.last.get(member)
        if previous is not None:
            if previous >= at:
                return
            del self.last_times[bisect.bisect_left(self.last_times, previous)]
        self.last[member] = at
        bisect.insort(self.last_times, at)

    def forget_before(self, oldest: float) -> bool:
        """Drop the members last seen before `oldest`; whether any is left."""
        if self.last_times and self.last_times[0] >= oldest:
            return True  # none to drop: not worth a pass over every member
        self.last = {member: t for member, t in self.last.items() if t >= oldest}
        del self.last_times[: bisect.bisect_left(self.last_times, oldest)]
        return bool(self.last)
