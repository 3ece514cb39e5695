"""Gauges read from the database when scraped: right in every process, no shared memory.

`/metrics` is open to whoever reaches the port, so a scrape is bounded: the readings are
reused for `REFRESH_SECONDS` (by the runtime's clock) however often it is asked, one
scrape at a time reads them, and on PostgreSQL the queries give up after a timeout. When
the database does not answer, `spamward_database_gauges_up` is 0 and the rest is left out.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from spamward.observability.gauge_queries import Readings, read_gauges
from spamward.runtime import Runtime

REFRESH_SECONDS = 10.0
STATEMENT_TIMEOUT_MS = 2000
log = logging.getLogger("spamward.metrics")


class DatabaseGauges:
    """A prometheus_client collector (it has `collect`) over the database's figures."""

    def __init__(self, runtime: Runtime, refresh_seconds: float = REFRESH_SECONDS) -> None:
        self._runtime = runtime
        self._refresh = timedelta(seconds=refresh_seconds)
        self._lock = threading.Lock()
        self._read_at: datetime | None = None
        self._families: list[Metric] = []

    def collect(self) -> Iterable[Metric]:
        with self._lock:
            now = self._runtime.clock()
            if self._read_at is None or not self._read_at <= now < self._read_at + self._refresh:
                self._families = self._read(now)
                self._read_at = now
            return list(self._families)

    def _read(self, now: datetime) -> list[Metric]:
        up = GaugeMetricFamily(
            "spamward_database_gauges_up", "1 when the database gauges below could be read"
        )
        try:
            readings = self._query(now)
        except SQLAlchemyError:
            log.warning("metrics: reading the database gauges failed", exc_info=True)
            up.add_metric([], 0)
            return [up]
        up.add_metric([], 1)
        return [up, *families_of(readings, now)]

    def _query(self, now: datetime) -> Readings:
        with self._runtime.database.read() as session:
            if self._runtime.database.dialect == "postgresql":
                session.execute(text(f"SET LOCAL statement_timeout = {STATEMENT_TIMEOUT_MS}"))
            return read_gauges(session, now)


def families_of(readings: Readings, now: datetime) -> Iterator[Metric]:
    sizes = GaugeMetricFamily(
        "spamward_list_entries", "Live entries on a project's list, by list and kind "
        "(kind `ip`: the IP lists)", labels=["project", "list", "kind"],
    )  # fmt: skip
    for project, name, kind, count in readings.list_sizes:
        sizes.add_metric([project, name, kind], count)
    yield sizes
    yield from _queue_families(readings, now)
    reviews = GaugeMetricFamily(
        "spamward_review_queue_open", "Open review items", labels=["project"]
    )
    for project in readings.projects:
        reviews.add_metric([project], readings.open_reviews.get(project, 0))
    yield reviews


def _queue_families(readings: Readings, now: datetime) -> Iterator[Metric]:
    depth = GaugeMetricFamily(
        "spamward_action_queue_depth", "Actions waiting for a worker (queued) or in hand "
        "(running)", labels=["project", "status"],
    )  # fmt: skip
    age = GaugeMetricFamily(
        "spamward_action_queue_oldest_age_seconds", "Seconds the oldest queued action has "
        "been due (0: none due); a retry counts from its new due time", labels=["project"],
    )  # fmt: skip
    found = {(q.project, q.status): q for q in readings.queue}
    for project in readings.projects:
        for status in ("queued", "running"):
            reading = found.get((project, status))
            depth.add_metric([project, status], reading.depth if reading else 0)
        queued = found.get((project, "queued"))
        oldest = queued.oldest_due if queued else None
        age.add_metric([project], max(0.0, (now - oldest).total_seconds()) if oldest else 0.0)
    yield depth
    yield age
