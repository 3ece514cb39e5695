"""Group commit: decisions recorded in batches, one write transaction for all the writes
waiting, so that the commit (and on SQLite the write lock) is paid once per batch rather
than once per decision.

A caller waits until its batch has committed: a decision the API answered is stored. When a
batch fails, its writes run again one transaction each, so one bad write fails alone; a
transaction the database aborted for a passing reason (a deadlock) is run again.
"""

from __future__ import annotations

import queue
import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from spamward.storage.db import Database

TRANSIENT_ATTEMPTS = 5
_TRANSIENT_STATES = {"40P01", "40001"}  # deadlock detected, serialization failure
Result = TypeVar("Result")
Write = Callable[[Session], Any]
_STOP = None


class GroupCommit:
    def __init__(self, database: Database, max_batch: int, max_waiting: int) -> None:
        self._database = database
        self._max_batch = max_batch
        self._waiting: queue.Queue[tuple[Write, Future[Any]] | None] = queue.Queue(max_waiting)
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def write(self, work: Callable[[Session], Result]) -> Result:
        """Run `work` in the next batch's transaction; its result once that committed."""
        done: Future[Result] = Future()
        self._start()
        self._waiting.put((work, done))  # blocks while `max_waiting` writes wait: back-pressure
        return done.result()

    def close(self) -> None:
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            self._waiting.put(_STOP)
            thread.join()

    def _start(self) -> None:
        if self._thread is not None:
            return
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="spamward-group-commit", daemon=True
                )
                self._thread.start()

    def _run(self) -> None:
        while True:
            batch, stopping = self._next_batch()
            if batch:
                self._commit(batch)
            if stopping:
                return

    def _next_batch(self) -> tuple[list[tuple[Write, Future[Any]]], bool]:
        """The writes waiting (at least one, blocking for it), and whether to stop after."""
        first = self._waiting.get()
        if first is _STOP:
            return [], True
        batch = [first]
        while len(batch) < self._max_batch:
            try:
                item = self._waiting.get_nowait()
            except queue.Empty:
                break
            if item is _STOP:
                return batch, True
            batch.append(item)
        return batch, False

    def _commit(self, batch: list[tuple[Write, Future[Any]]]) -> None:
        try:
            results = self._transaction([work for work, _ in batch])
        except Exception:
            for work, done in batch:
                self._commit_alone(work, done)
            return
        for (_, done), result in zip(batch, results, strict=True):
            done.set_result(result)

    def _commit_alone(self, work: Write, done: Future[Any]) -> None:
        try:
            [result] = self._transaction([work])
        except Exception as error:  # the caller's request fails with it, not the writer
            done.set_exception(error)
        else:
            done.set_result(result)

    def _transaction(self, writes: list[Write]) -> list[Any]:
        """The writes in one transaction, run again when the database gave up on it for a
        reason that passes (a deadlock with another process's batch, a serialization
        failure): batches lock rows in arrival order, so two processes can cross."""
        attempt = 1
        while True:
            try:
                with self._database.write() as session:
                    return [work(session) for work in writes]
            except DBAPIError as error:
                if attempt == TRANSIENT_ATTEMPTS or not is_transient(error):
                    raise
            time.sleep(random.uniform(0, 0.005 * attempt))  # jittered: crossed batches part
            attempt += 1


def is_transient(error: DBAPIError) -> bool:
    return getattr(error.orig, "sqlstate", None) in _TRANSIENT_STATES
