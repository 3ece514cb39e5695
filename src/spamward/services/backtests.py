"""Backtests: a draft policy replayed over the recorded decisions of the last N days.

Each recorded decision is judged again from what it saw (its entities with their list
status, and the facts kept with it: account age and status, velocity, entity counts), so
the only difference is the policy. The report counts how verdicts change, from what to
what, with examples, and how often each rule would hit.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from spamward.domain.decision import Decision, ListName
from spamward.domain.entity import Entity, EntityKind
from spamward.domain.event import Actor, Content, Event, EventType
from spamward.domain.facts import EntityKey, Facts
from spamward.domain.ids import new_id
from spamward.engine import decide_with
from spamward.errors import NotFound
from spamward.policy.compiled import Policy, compile_policy, parse_document
from spamward.policy.document import PolicyDocument
from spamward.runtime import Runtime
from spamward.services import policies
from spamward.services.backtest_report import Tally
from spamward.storage import models
from spamward.storage.repositories import backtests as repo
from spamward.storage.repositories import decisions as decision_repo

PAGE = 500

Progress = Callable[[int, int], None]  # events replayed, events in all


def backtest(
    runtime: Runtime,
    project_id: int,
    document: PolicyDocument,
    days: int,
    progress: Progress | None = None,
) -> dict[str, Any]:
    policy = compile_policy(document, windows=runtime.windows)
    since = runtime.clock() - timedelta(days=days)
    with runtime.database.read() as session:
        total = decision_repo.count_since(session, project_id, since)
    tally = Tally()
    after = None
    while True:
        with runtime.database.read() as session:
            page = repo.decisions_since(session, project_id, since, after, PAGE)
        for row in page:
            tally.add(row, replay(policy, row))
        if progress is not None:
            progress(tally.events, max(total, tally.events))
        if len(page) < PAGE:
            break
        after = (page[-1][0].created_at, page[-1][0].id)
    return {"days": days, "since": since.isoformat(), **tally.to_json()}


def start_backtest(
    runtime: Runtime, project_id: int, raw_document: Any | None, days: int
) -> dict[str, Any]:
    """Queue a backtest of a document (the draft when None); poll `get_backtest`."""
    if raw_document is None:
        document = policies.draft(runtime, project_id)
    else:
        document = parse_document(raw_document, runtime.windows)
    job_id = new_id()
    with runtime.database.write() as session:
        job = repo.insert_job(session, project_id, job_id, days, document.dump(), runtime.clock())
        view = _view(job)
    runtime.jobs.submit(lambda: _run_job(runtime, project_id, job_id, document, days))
    return view


def get_backtest(runtime: Runtime, project_id: int, job_id: uuid.UUID) -> dict[str, Any]:
    with runtime.database.read() as session:
        job = repo.job_by_id(session, project_id, job_id)
        if job is None:
            raise NotFound("no such backtest")
        return _view(job)


def _run_job(
    runtime: Runtime, project_id: int, job_id: uuid.UUID, document: PolicyDocument, days: int
) -> None:
    def update(**values: Any) -> None:
        with runtime.database.write() as session:
            repo.update_job(session, project_id, job_id, **values)

    update(status="running")
    try:
        report = backtest(
            runtime,
            project_id,
            document,
            days,
            lambda done, total: update(done_events=done, total_events=total),
        )
    except Exception as error:  # the job's boundary: the failure is recorded for its poller
        update(
            status="failed", error=f"{type(error).__name__}: {error}", finished_at=runtime.clock()
        )
    else:
        update(status="done", report=report, finished_at=runtime.clock())


def _view(job: models.Backtest) -> dict[str, Any]:
    return {
        "id": str(job.id),
        "status": job.status,
        "days": job.days,
        "done_events": job.done_events,
        "total_events": job.total_events,
        "report": job.report,
        "error": job.error,
        "created_at": job.created_at.isoformat(),
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
    }


def replay(policy: Policy, row: repo.Replayed) -> Decision:
    decision, stored, user_id, email = row
    trace = decision.trace
    entities, listed = _entities_of(trace)
    event = Event(
        type=EventType(stored.type),
        actor=Actor(user_id, email, stored.ip, stored.user_agent, stored.country),
        occurred_at=stored.occurred_at,
        content=Content(stored.text, stored.title),
        context=stored.context,
        external_id=stored.external_id,
    )
    facts = Facts.from_json(trace.get("signals") or {})
    return decide_with(event, policy, entities, listed, facts, time.perf_counter())


def _entities_of(trace: dict[str, Any]) -> tuple[tuple[Entity, ...], dict[EntityKey, ListName]]:
    entities, listed = [], {}
    for kind in EntityKind:
        for item in trace.get("entities", {}).get(kind.plural, []):
            value = item["value"]
            domain = item.get("domain") or _host(kind, value)
            entities.append(
                Entity(kind, value, item["display"], domain, item.get("shortener", False))
            )
            if item.get("list"):
                listed[(kind, value)] = ListName(item["list"])
    return tuple(entities), listed


def _host(kind: EntityKind, value: str) -> str | None:
    """The host of an entity recorded before traces kept it."""
    if kind is EntityKind.DOMAIN:
        return value
    if kind is EntityKind.EMAIL:
        return value.rpartition("@")[2]
    if kind is EntityKind.URL:
        return value.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0].rsplit(":", 1)[0]
    return None
