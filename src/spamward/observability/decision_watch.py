"""What the API records about each decision it answers, besides the decision itself: the
metrics, the log context (project, then decision id) and one `decision` log line."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from spamward.domain.entity import EntityKind
from spamward.observability.logs import DECISION_ID, PROJECT
from spamward.observability.metrics import observe_decision
from spamward.services.decision_record import DecisionRecord

log = logging.getLogger("spamward.decisions")
_KIND_OF_PLURAL = {kind.plural: kind.value for kind in EntityKind}


class DecisionWatch:
    """Started when the decision is; `answered` once it is stored."""

    def __init__(self) -> None:
        self._started = time.perf_counter()

    def answered(self, event_type: str, record: DecisionRecord) -> None:
        seconds = time.perf_counter() - self._started
        DECISION_ID.set(str(record.id))
        observe_decision(event_type, record.verdict, seconds, entity_counts(record.trace))
        if log.isEnabledFor(logging.INFO):
            details = {"verdict": record.verdict, "event_type": event_type}
            log.info("decision", extra={**details, "latency_ms": round(seconds * 1000, 3)})


@contextmanager
def watching_decision(project_id: int) -> Iterator[DecisionWatch]:
    """Lines logged inside carry the project, and the decision id once it is answered."""
    project = PROJECT.set(project_id)
    decision_id = DECISION_ID.set(None)
    try:
        yield DecisionWatch()
    finally:
        DECISION_ID.reset(decision_id)
        PROJECT.reset(project)


def entity_counts(trace: Mapping[str, Any]) -> dict[str, int]:
    """Entities of each kind in a decision's trace (which groups them by plural name)."""
    grouped: Mapping[str, list[Any]] = trace.get("entities") or {}
    return {_KIND_OF_PLURAL.get(plural, plural): len(found) for plural, found in grouped.items()}
