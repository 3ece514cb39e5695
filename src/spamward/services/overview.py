"""The overview's figures for one project: decisions by verdict over time, entities waiting
in the Spam Manager, the top domains, decision latency, actions and the review queue.

Every figure is bounded in time or read from an index kept for it; closed hours of the
decision chart are read once per process (closed_hours.py), so a page view reads the
current hour's decisions, not the whole range.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from spamward.closed_hours import HourCounts
from spamward.domain.entity import EntityKind
from spamward.domain.verdict import Verdict
from spamward.runtime import Runtime
from spamward.services.actions import remediation_metrics
from spamward.services.project_settings import get_settings
from spamward.services.spam_manager import window_start
from spamward.storage.repositories import overview as repo
from spamward.storage.repositories import reviews

HOUR = 3600
# A decision's time is its evaluation's and its commit follows: an hour counts as closed
# (and is read once) only this long after it ended.
GRACE = timedelta(minutes=5)
LATENCY_HOURS = 24
LATENCY_SAMPLE = 10_000  # the latest decisions the percentiles are read from
ACTION_HOURS = 24
TOP_DOMAINS = 10


@dataclass(frozen=True, slots=True)
class Span:
    name: str
    label: str
    buckets: int
    bucket_hours: int


SPANS = {
    "14d": Span("14d", "Last 14 days, by day", 14, 24),
    "48h": Span("48h", "Last 48 hours, by hour", 48, 1),
}
DEFAULT_SPAN = SPANS["14d"]


@dataclass(frozen=True, slots=True)
class VerdictSeries:
    span: Span
    starts: list[datetime]  # each bucket's first moment, UTC
    counts: dict[str, list[int]]  # verdict -> decisions per bucket, verdicts with any only


@dataclass(frozen=True, slots=True)
class Latency:
    sampled: int  # decisions read (the latest, up to LATENCY_SAMPLE)
    p50_us: float | None
    p99_us: float | None


@dataclass(frozen=True, slots=True)
class Figures:
    verdicts: VerdictSeries
    window_days: int
    entities: list[tuple[str, int]]  # every kind, in order, with its unlisted entities
    top_domains: list[tuple[str, int, int]]  # display, posts, users
    latency: Latency
    actions: dict[str, dict[str, Any]]  # kind -> done, skipped, failed, retries...
    action_queue: dict[str, Any]  # depth, oldest_age_seconds
    open_reviews: int
    oldest_review_age_seconds: float | None


def overview(runtime: Runtime, project_id: int, span: Span = DEFAULT_SPAN) -> Figures:
    now = runtime.clock()
    window_days = get_settings(runtime, project_id).window_days
    metrics = remediation_metrics(runtime, project_id, now - timedelta(hours=ACTION_HOURS))
    verdicts = verdict_series(runtime, project_id, span)
    with runtime.database.read() as session:
        since = window_start(runtime, window_days)
        entities = dict(repo.unlisted_by_kind(session, project_id, since))
        top = repo.top_unlisted_domains(session, project_id, since, TOP_DOMAINS)
        latency = _latency(session, project_id, now)
        open_reviews, oldest = reviews.open_count(session, project_id)
    return Figures(
        verdicts, window_days, [(kind.value, entities.get(kind.value, 0)) for kind in EntityKind],
        top, latency, metrics["by_kind"], metrics["queue"], open_reviews,
        (now - oldest).total_seconds() if oldest else None,
    )  # fmt: skip


def _latency(session: Session, project_id: int, now: datetime) -> Latency:
    since = now - timedelta(hours=LATENCY_HOURS)
    sampled, (p50, p99) = repo.latency_percentiles(
        session, project_id, since, (0.5, 0.99), LATENCY_SAMPLE
    )
    return Latency(sampled, p50, p99)


def verdict_series(runtime: Runtime, project_id: int, span: Span) -> VerdictSeries:
    """Decisions by verdict in each bucket of `span`, up to now; the last bucket is the
    current day or hour, so far."""
    now = runtime.clock()
    current, closed_until = _hour(now), _hour(now - GRACE)
    first = (current // span.bucket_hours - span.buckets + 1) * span.bucket_hours
    closed = range(first, max(first, closed_until))
    hours = runtime.decision_hours.counts(
        project_id, closed, lambda start, stop: _read_hours(runtime, project_id, start, stop)
    )
    hours.update(_read_hours(runtime, project_id, closed.stop, None))
    counts = {verdict.value: [0] * span.buckets for verdict in Verdict}
    for hour, by_verdict in hours.items():
        bucket = (hour - first) // span.bucket_hours
        if 0 <= bucket < span.buckets:
            for verdict, decisions in by_verdict.items():
                counts.setdefault(verdict, [0] * span.buckets)[bucket] += decisions
    starts = [_start(first + index * span.bucket_hours) for index in range(span.buckets)]
    return VerdictSeries(span, starts, {v: c for v, c in counts.items() if any(c)})


def _read_hours(
    runtime: Runtime, project_id: int, start: int, stop: int | None
) -> dict[int, HourCounts]:
    with runtime.database.read() as session:
        rows = repo.verdicts_by_hour(
            session, project_id, _start(start), None if stop is None else _start(stop)
        )
    hours: dict[int, HourCounts] = defaultdict(dict)
    for hour, verdict, decisions in rows:
        hours[hour][verdict] = decisions
    return dict(hours)


def _hour(moment: datetime) -> int:
    return int(moment.timestamp()) // HOUR


def _start(hour: int) -> datetime:
    return datetime.fromtimestamp(hour * HOUR, UTC)
