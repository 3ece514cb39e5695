"""Group commit: decisions recorded in batches, one write transaction for all the writes
waiting, so that the commit (and on SQLite the write lock) is paid once per batch rather
than once per decision.

A caller waits until its batch has committed: a decision the API answered is stored. Batches
are written by a thread of their own (`write`), or, for a caller on the event loop when the
database is local (SQLite), on the loop itself once the requests of its current turn have
submitted theirs (`write_on_loop`): there a second thread would only take turns with the loop
for the interpreter, at a cost of about a third of a decision's CPU. A loop batch that finds
another thread of the process writing is committed in a worker thread instead, so that the
loop goes on meanwhile; the writes that come in meanwhile wait for it, then commit on the loop.

When a batch fails, its writes run again one transaction each, so one bad write fails alone;
a transaction the database aborted for a passing reason (a deadlock) is run again.
"""

from __future__ import annotations

import asyncio
import contextvars
import queue
import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from typing import Generic, NamedTuple, Protocol, TypeVar, cast

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from spamward.storage.db import Database, WriteBusy

TRANSIENT_ATTEMPTS = 5
_TRANSIENT_STATES = {"40P01", "40001"}  # deadlock detected, serialization failure
Item = TypeVar("Item")
Result = TypeVar("Result")
WriteBatch = Callable[[Session, list[Item]], list[Result]]
_STOP = None
_TURNS = 0x5357  # the advisory locks' namespace: spamward's batches


_Settled_contra = TypeVar("_Settled_contra", contravariant=True)


class _Outcome(Protocol[_Settled_contra]):  # a thread's Future or the loop's asyncio.Future
    def set_result(self, result: _Settled_contra, /) -> None: ...
    def set_exception(self, exception: BaseException, /) -> None: ...
    def cancelled(self) -> bool: ...


class _Pending(NamedTuple, Generic[Item, Result]):
    item: Item
    done: _Outcome[Result]
    turn: int | None  # batches holding the same turn key commit one at a time


class _Settled(NamedTuple, Generic[Result]):
    result: Result | None = None
    error: Exception | None = None


class GroupCommit(Generic[Item, Result]):
    """Items written by `write_batch`, a batch at a time, each batch in one transaction."""

    def __init__(
        self,
        database: Database,
        write_batch: WriteBatch[Item, Result],
        max_batch: int,
        max_waiting: int,
    ) -> None:
        self._database = database
        self._write_batch = write_batch
        self._max_batch = max_batch
        self._waiting: queue.Queue[_Pending[Item, Result] | None] = queue.Queue(max_waiting)
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._on_loop: list[_Pending[Item, Result]] = []
        self._in_thread: asyncio.Task[None] | None = None  # a loop batch a thread commits

    def write(self, item: Item, turn: int | None = None) -> Result:
        """Write `item` in the next batch's transaction; its result once that committed.

        On PostgreSQL, batches whose items name the same `turn` (a project) take turns
        across processes: they upsert the same rows in arrival order, and two at once would
        deadlock."""
        done: Future[Result] = Future()
        self._start()
        self._waiting.put(_Pending(item, done, turn))  # blocks while full: back-pressure
        return done.result()

    async def write_on_loop(self, item: Item, turn: int | None = None) -> Result:
        """`write` for a caller on the event loop, the batch committed on the loop: for a
        local database only, as the loop waits for the commit."""
        loop = asyncio.get_running_loop()
        done: asyncio.Future[Result] = loop.create_future()
        self._on_loop.append(_Pending(item, done, turn))
        if len(self._on_loop) == 1:  # the first of this turn: flush once the turn's are in
            # In a context of its own: a batch's log lines speak for no one request.
            loop.call_soon(self._flush_loop_batch, context=contextvars.Context())
        return await done

    def _flush_loop_batch(self) -> None:
        """Commit the waiting writes on the loop, a batch at a time. While a batch commits in
        a thread, the writes wait for it and then flush on the loop again: each committed in
        a thread of its own, they would find one another holding the write lock and so stay
        in threads, taking turns for the interpreter (twice a decision's CPU)."""
        while self._on_loop and self._in_thread is None:
            batch = self._on_loop[: self._max_batch]
            del self._on_loop[: self._max_batch]
            try:
                self._settle(batch, self._outcomes(batch, wait=False))
            except WriteBusy:
                # Another thread is writing (an action, a moderator, the retention job):
                # waiting for it here would hold every request on the loop.
                task = asyncio.get_running_loop().create_task(self._commit_in_thread(batch))
                task.add_done_callback(self._after_thread_batch)
                self._in_thread = task

    async def _commit_in_thread(self, batch: list[_Pending[Item, Result]]) -> None:
        self._settle(batch, await asyncio.to_thread(self._outcomes, batch))

    def _after_thread_batch(self, _: asyncio.Task[None]) -> None:
        self._in_thread = None
        self._flush_loop_batch()  # what came in meanwhile

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

    def _next_batch(self) -> tuple[list[_Pending[Item, Result]], bool]:
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

    def _commit(self, batch: list[_Pending[Item, Result]]) -> None:
        self._settle(batch, self._outcomes(batch))

    def _outcomes(
        self, batch: list[_Pending[Item, Result]], wait: bool = True
    ) -> list[_Settled[Result]]:
        """Each write's result or error: the batch in one transaction, or if that fails,
        each write in one of its own, so that a bad write fails alone."""
        try:
            return [_Settled(result) for result in self._transaction(batch, wait)]
        except WriteBusy:
            raise
        except Exception:
            return [self._alone(pending) for pending in batch]

    def _alone(self, pending: _Pending[Item, Result]) -> _Settled[Result]:
        try:
            [result] = self._transaction([pending])
        except Exception as error:  # the caller's request fails with it, not the writer
            return _Settled(error=error)
        return _Settled(result)

    @staticmethod
    def _settle(batch: list[_Pending[Item, Result]], outcomes: list[_Settled[Result]]) -> None:
        """Tell each caller still waiting (one gone away is told nothing; its write stands
        all the same)."""
        for pending, outcome in zip(batch, outcomes, strict=True):
            if pending.done.cancelled():
                continue
            if outcome.error is None:
                pending.done.set_result(cast(Result, outcome.result))
            else:
                pending.done.set_exception(outcome.error)

    def _transaction(self, batch: list[_Pending[Item, Result]], wait: bool = True) -> list[Result]:
        """The writes in one transaction, run again when the database gave up on it for a
        reason that passes (a deadlock with another process's batch, a serialization
        failure): batches lock rows in arrival order, so two processes can cross."""
        attempt = 1
        while True:
            try:
                with self._database.write(wait) as session:
                    self._take_turns(session, {p.turn for p in batch if p.turn is not None})
                    return self._write_batch(session, [pending.item for pending in batch])
            except DBAPIError as error:
                if attempt == TRANSIENT_ATTEMPTS or not is_transient(error):
                    raise
            time.sleep(random.uniform(0, 0.005 * attempt))  # jittered: crossed batches part
            attempt += 1

    def _take_turns(self, session: Session, turns: set[int]) -> None:
        """Wait for the turn of each key, in order (SQLite's writers take turns anyway)."""
        if self._database.dialect != "postgresql":
            return
        for turn in sorted(turns):
            session.execute(_TAKE_TURN, {"namespace": _TURNS, "key": turn})


_TAKE_TURN = text("SELECT pg_advisory_xact_lock(:namespace, :key)")


def each_write(session: Session, writes: list[Callable[[Session], Result]]) -> list[Result]:
    """A batch writer for writes given as functions of the session: each runs in turn."""
    return [write(session) for write in writes]


def is_transient(error: DBAPIError) -> bool:
    return getattr(error.orig, "sqlstate", None) in _TRANSIENT_STATES
