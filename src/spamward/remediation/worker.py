"""The action worker: claim due actions with a lease, run them, record every attempt.

A failed attempt is retried with exponential backoff and jitter; after the last one the
action is `failed` and a review item is opened in the same transaction. A worker that dies
mid-action leaves its claim to lapse: another worker takes the action over when the lease
runs out and runs it again under the same idempotency key. `serve` runs one worker thread
(embedded mode); `spamward worker --concurrency N` runs N in a process of their own.
"""

from __future__ import annotations

import logging
import os
import random
import socket
import threading
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy.orm import Session

from spamward.observability.metrics import observe_action_end
from spamward.remediation.catalog import ActionKind
from spamward.remediation.executors import EXECUTORS
from spamward.remediation.job import ActionError, Job, Outcome, PermanentError
from spamward.remediation.toolbox import Toolbox
from spamward.runtime import Runtime
from spamward.storage.repositories import actions as repo
from spamward.storage.repositories import reviews

log = logging.getLogger("spamward.actions")


def retry_delay(attempt: int, base: float, cap: float, jitter: Callable[[], float]) -> float:
    """Seconds before the next attempt: base · 2^(attempt-1), capped, times 0.5 to 1 at random
    so that actions failing together do not retry together."""
    exponential: float = base * 2.0 ** (attempt - 1)
    return min(cap, exponential) * (0.5 + jitter() / 2)


class ActionWorker:
    def __init__(self, runtime: Runtime, concurrency: int = 1, name: str | None = None) -> None:
        self._runtime = runtime
        self.name = name or f"{socket.gethostname()}:{os.getpid()}"
        self._tools = Toolbox(runtime)
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(target=self._loop, args=(f"{self.name}:{i}",), daemon=True,
                             name=f"spamward-actions-{i}")
            for i in range(concurrency)
        ]  # fmt: skip
        self.jitter: Callable[[], float] = random.random

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self, timeout: float | None = None) -> None:
        """Stop claiming; wait for the actions in hand (at most a lease)."""
        timeout = self._runtime.settings.action_lease_seconds if timeout is None else timeout
        self._stop.set()
        self._runtime.actions_ready.set()
        for thread in self._threads:
            thread.join(timeout)
        self._tools.close()

    def _loop(self, worker: str) -> None:
        ready = self._runtime.actions_ready
        while not self._stop.is_set():
            try:
                ran = self.run_once(worker)
            except Exception:  # the database is away: try again after a pause
                log.exception("claiming actions failed")
                ran = 0
            if not ran:
                ready.wait(self._runtime.settings.action_poll_seconds)
                ready.clear()

    def run_once(self, worker: str | None = None, limit: int | None = None) -> int:
        """Claim up to `limit` (default: `action_batch_size`) due actions, run them one after
        the other, and record their ends in one transaction; how many ran."""
        worker = worker or self.name
        settings = self._runtime.settings
        with self._runtime.database.write() as session:
            batch = limit or settings.action_batch_size
            now = self._runtime.clock()
            claimed = repo.claim(session, worker, now, settings.action_lease_seconds, batch)
            jobs = [Job.of(row) for row in claimed]
        ran: list[tuple[Job, Outcome | ActionError]] = []
        for job in jobs:
            ran.append((job, self._attempt(job, _done_by_rule(ran, job))))
        if ran:
            self._finish(worker, ran)
        return len(jobs)

    def _attempt(self, job: Job, done_unrecorded: int) -> Outcome | ActionError:
        if job.attempt > job.max_attempts:  # its workers kept dying mid-run
            return PermanentError(f"no worker finished it in {job.max_attempts} attempts")
        try:
            if self._rule_exhausted(job, done_unrecorded):
                item = self._tools.open_review(
                    job, "rule_exhausted", f"rule {job.rule} reached its actions per hour",
                    rule=job.rule,
                )  # fmt: skip
                return Outcome.skipped("the rule reached its actions per hour", review_item=item)
            return EXECUTORS[job.kind](job, self._tools)
        except ActionError as error:
            return error
        except Exception as error:  # a bug in an executor: logged, retried, then escalated
            log.exception("action %s (%s) raised", job.id, job.kind)
            return ActionError(f"{type(error).__name__}: {error}")

    def _rule_exhausted(self, job: Job, done_unrecorded: int) -> bool:
        if job.rule is None or job.kind is ActionKind.ESCALATE:
            return False
        limit = self._tools.site(job.project_id).rule_actions_per_hour
        since = self._runtime.clock() - timedelta(hours=1)
        with self._runtime.database.read() as session:
            done = repo.done_by_rule_since(session, job.project_id, job.rule, since)
        return done + done_unrecorded >= limit

    def _finish(self, worker: str, ran: list[tuple[Job, Outcome | ActionError]]) -> None:
        ends: list[tuple[Job, repo.Finish]] = []
        with self._runtime.database.write() as session:
            for job, outcome in ran:
                end = self._end(job, outcome)
                ends.append((job, end))
                if not repo.finish(session, job.id, worker, job.attempt, end):
                    log.warning("action %s was taken over by another worker", job.id)
                elif end.status == repo.FAILED:
                    _open_failed_item(session, job, end)
        for job, outcome in ran:
            if isinstance(outcome, ActionError):
                log.warning("action %s (%s) attempt %d: %s", job.id, job.kind, job.attempt,
                            outcome)  # fmt: skip
        for job, end in ends:
            observe_action_end(job.kind, end.status, job.attempt)

    def _end(self, job: Job, outcome: Outcome | ActionError) -> repo.Finish:
        now = self._runtime.clock()
        if isinstance(outcome, Outcome):
            return repo.Finish(outcome.status, now, result=outcome.result)
        if isinstance(outcome, PermanentError) or job.attempt >= job.max_attempts:
            return repo.Finish(repo.FAILED, now, error=str(outcome))
        s = self._runtime.settings
        delay = retry_delay(job.attempt, s.action_retry_base_seconds, s.action_retry_max_seconds,
                            self.jitter)  # fmt: skip
        return repo.Finish(
            repo.QUEUED, now, error=str(outcome), due_at=now + timedelta(seconds=delay)
        )


def _done_by_rule(ran: list[tuple[Job, Outcome | ActionError]], job: Job) -> int:
    """Actions of the job's rule this batch has done, not yet recorded."""
    return sum(
        1
        for earlier, outcome in ran
        if (earlier.project_id, earlier.rule) == (job.project_id, job.rule)
        and isinstance(outcome, Outcome)
        and outcome.status == repo.DONE
    )


def _open_failed_item(session: Session, job: Job, end: repo.Finish) -> None:
    summary = f"action failed: {job.name} after {job.attempt} attempt(s): {end.error}"
    reviews.open_new(
        session, job.project_id, "action_failed", summary, end.at, event_id=job.event_id,
        decision_id=job.decision_id, action_id=job.id, user_id=job.user_id, rule=job.rule,
    )  # fmt: skip
