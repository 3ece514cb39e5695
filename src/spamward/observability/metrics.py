"""The counters and histograms spamward records as it works.

prometheus_client metrics belong to the process by design: in multiprocess mode
(`PROMETHEUS_MULTIPROC_DIR` set before start) each process writes its own file and the
endpoint sums the files, so they are defined once here, as the library expects. They hold
figures, never configuration. Every label takes a bounded set of values (enums).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache

from prometheus_client import Counter, Histogram

# Sub-millisecond to 100 ms: what a decision costs, with its write, on a healthy box.
DECISION_BUCKETS = (0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1)
# How a worker's attempt ended, as the metric names it: a failed attempt with a retry to
# come is an `error`; `failed` is the last one.
_RESULT_OF_STATUS = {"done": "done", "skipped": "skipped", "queued": "error", "failed": "failed"}

DECISIONS = Counter(
    "spamward_decisions",
    "Decisions answered and stored, by verdict and event type",
    ["verdict", "event_type"],
)
DECISION_SECONDS = Histogram(
    "spamward_decision_seconds",
    "Time to judge and store one decision (the API's decide call), in seconds",
    buckets=DECISION_BUCKETS,
)
ENTITIES = Counter(
    "spamward_entities_extracted",
    "Entities extracted from judged events, by kind",
    ["kind"],
)
ACTION_RESULTS = Counter(
    "spamward_action_results",
    "Action attempts ended by a worker, by action kind and result "
    "(done, skipped, error: retried later, failed: no attempt left)",
    ["kind", "result"],
)
ACTION_RETRIES = Counter(
    "spamward_action_retries",
    "Action attempts that were retries (the second attempt or a later one), by action kind",
    ["kind"],
)


def observe_decision(
    event_type: str, verdict: str, seconds: float, entities_by_kind: Mapping[str, int]
) -> None:
    _decisions(verdict, event_type).inc()
    DECISION_SECONDS.observe(seconds)
    for kind, count in entities_by_kind.items():
        if count:
            _entities(kind).inc(count)


def observe_action_end(kind: str, status: str, attempt: int) -> None:
    """An attempt's end as the worker records it: `status` is the action's new status."""
    ACTION_RESULTS.labels(kind=kind, result=_RESULT_OF_STATUS.get(status, status)).inc()
    if attempt > 1:
        ACTION_RETRIES.labels(kind=kind).inc()


# A labelled child looked up once (labels() costs as much as the increment, twice over);
# the label values are enums, so these caches stay small.
@cache
def _decisions(verdict: str, event_type: str) -> Counter:
    return DECISIONS.labels(verdict=verdict, event_type=event_type)


@cache
def _entities(kind: str) -> Counter:
    return ENTITIES.labels(kind=kind)
