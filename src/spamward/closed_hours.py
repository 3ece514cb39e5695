"""Counts per closed UTC hour, per project, read from the database once per process.

An hour that has ended (past a grace period for decisions still committing) no longer
changes, so the overview reads each closed hour's decisions once and keeps the figures; only
the current hour is read every time. Without this, a 14-day chart over a million decisions
reads half a million rows on every page view.

Hours are numbered from the Unix epoch: hour n starts at n * 3600 seconds UTC.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

HourCounts = dict[str, int]  # e.g. decisions by verdict
Loader = Callable[[int, int], dict[int, HourCounts]]  # hours [start, stop) -> counts by hour

KEEP_HOURS = 15 * 24  # what the longest chart reads, and a day to spare


class ClosedHours:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._held: dict[int, dict[int, HourCounts]] = {}

    def counts(self, project_id: int, hours: range, load: Loader) -> dict[int, HourCounts]:
        """The counts of every hour in `hours` (all closed): those not held yet come from
        one `load(first missing hour, hours.stop)`."""
        with self._lock:
            held = dict(self._held.get(project_id, {}))
        missing = [hour for hour in hours if hour not in held]
        if missing:
            loaded = load(missing[0], hours.stop)
            fresh = {hour: dict(loaded.get(hour, {})) for hour in range(missing[0], hours.stop)}
            held.update(fresh)
            self._keep(project_id, fresh, hours.stop - KEEP_HOURS)
        return {hour: held[hour] for hour in hours}

    def _keep(self, project_id: int, fresh: dict[int, HourCounts], oldest: int) -> None:
        with self._lock:
            project = self._held.setdefault(project_id, {})
            project.update(fresh)
            for hour in [hour for hour in project if hour < oldest]:
                del project[hour]
