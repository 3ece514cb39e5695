"""Group commit (storage/group_commit.py) on SQLite and PostgreSQL: writes waiting together
share one transaction (in the writer thread, or on the event loop for the writes of one
turn, or in a worker thread while another thread writes), each caller gets its own result
once it committed, a failing write fails alone, and decisions made concurrently through it
are all stored."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from spamward.domain.event import Actor, Content, Event, EventType
from spamward.runtime import Runtime
from spamward.services.decisions import decide
from spamward.settings import Settings
from spamward.storage.db import Database
from spamward.storage.group_commit import GroupCommit, each_write
from spamward.storage.models import Decision, ModerationLog
from spamward.storage.models import Event as EventRow
from tests.conftest import ApiProject

Write = Callable[[Session], object]
Group = GroupCommit[Write, object]


@pytest.fixture
def group(runtime: Runtime) -> Iterator[Group]:
    committing: Group = GroupCommit(runtime.database, each_write, max_batch=50, max_waiting=100)
    yield committing
    committing.close()


def note(project_id: int, n: int) -> Write:
    def write(session: Session) -> object:
        session.add(ModerationLog(project_id=project_id, who="test", action=f"note {n}",
                                  at=datetime.now(UTC), detail={}))  # fmt: skip
        session.flush()
        return n

    return write


def notes(runtime: Runtime, project_id: int) -> list[str]:
    with runtime.database.read() as session:
        rows = session.scalars(
            select(ModerationLog.action).where(ModerationLog.project_id == project_id)
        )
        return sorted(rows)


def held_batch(group: Group, writes: list[Write]) -> tuple[list[Future[object]], list[int]]:
    """`writes` submitted while the writer is held inside a first batch, so that they
    commit together in the next one; the connections' ids that ran them."""
    inside, release = threading.Event(), threading.Event()
    connections: list[int] = []

    def hold(session: Session) -> None:
        inside.set()
        release.wait(10)  # not timing: released as soon as every write is queued

    def traced(write: Write) -> Write:
        def run(session: Session) -> object:
            connections.append(id(session.connection()))
            return write(session)

        return run

    pool = ThreadPoolExecutor(len(writes) + 1)
    pool.submit(group.write, hold)
    assert inside.wait(10)
    futures = [pool.submit(group.write, traced(write)) for write in writes]
    while group._waiting.qsize() < len(writes):
        pass
    release.set()
    pool.shutdown(wait=True)
    return futures, connections


def test_waiting_writes_share_one_transaction_and_get_their_own_results(
    runtime: Runtime, project: ApiProject, group: Group
) -> None:
    futures, connections = held_batch(group, [note(project.id, n) for n in range(5)])

    assert [f.result() for f in futures] == [0, 1, 2, 3, 4]
    assert len(set(connections)) == 1  # one session, one transaction
    assert notes(runtime, project.id) == [f"note {n}" for n in range(5)]


def test_a_failing_write_fails_alone(runtime: Runtime, project: ApiProject, group: Group) -> None:
    def broken(session: Session) -> object:
        session.execute(text("SELECT * FROM no_such_table"))
        return None

    writes = [note(project.id, 0), broken, note(project.id, 2)]
    futures, _ = held_batch(group, writes)

    assert futures[0].result() == 0
    assert futures[2].result() == 2
    with pytest.raises(Exception, match="no_such_table"):
        futures[1].result()
    assert notes(runtime, project.id) == ["note 0", "note 2"]


def on_loop(group: Group, writes: list[Write], cancel: int | None = None) -> list[object]:
    """`writes` sent from tasks of one event loop turn; each one's result or its error. The
    task of `cancel` (an index) is cancelled once its write is submitted."""
    connections: list[int] = []

    def traced(write: Write) -> Write:
        def run(session: Session) -> object:
            connections.append(id(session.connection()))
            return write(session)

        return run

    async def send_all() -> list[object]:
        tasks = [asyncio.create_task(group.write_on_loop(traced(w))) for w in writes]
        if cancel is not None:
            await asyncio.sleep(0)  # one turn: every task has submitted its write
            tasks[cancel].cancel()
        return await asyncio.gather(*tasks, return_exceptions=True)

    results = asyncio.run(send_all())
    return [*results, len(set(connections))]


def test_writes_of_one_loop_turn_share_one_transaction_on_the_loop(
    runtime: Runtime, project: ApiProject, group: Group
) -> None:
    *results, connections = on_loop(group, [note(project.id, n) for n in range(5)])

    assert results == [0, 1, 2, 3, 4]
    assert connections == 1
    assert group._thread is None  # the loop committed them: no writer thread started
    assert notes(runtime, project.id) == [f"note {n}" for n in range(5)]


def test_on_the_loop_a_failing_write_fails_alone_and_a_cancelled_caller_is_still_stored(
    runtime: Runtime, project: ApiProject, group: Group
) -> None:
    def broken(session: Session) -> object:
        session.execute(text("SELECT * FROM no_such_table"))
        return None

    writes = [note(project.id, 0), broken, note(project.id, 2), note(project.id, 3)]
    *results, _ = on_loop(group, writes, cancel=3)

    assert results[0] == 0
    assert results[2] == 2
    assert isinstance(results[1], Exception)
    assert "no_such_table" in str(results[1])
    assert isinstance(results[3], asyncio.CancelledError)
    assert notes(runtime, project.id) == ["note 0", "note 2", "note 3"]


def _post(runtime: Runtime, user: str, text: str) -> Event:
    return Event(EventType.POST, Actor(user_id=user), runtime.clock(), Content(text=text))


def test_concurrent_decisions_are_each_stored_once(runtime: Runtime, project: ApiProject) -> None:
    events = [
        _post(runtime, f"user-{n % 7}", f"see https://site{n % 5}.example/page{n}")
        for n in range(60)
    ]
    with ThreadPoolExecutor(12) as pool:
        records = list(pool.map(lambda e: decide(runtime, project.id, e), events))

    with runtime.database.read() as session:
        stored = set(session.scalars(select(Decision.id).where(Decision.project_id == project.id)))
        posts = session.scalar(select(func.count()).select_from(EventRow))
    assert stored == {r.id for r in records}
    assert len(stored) == 60
    assert posts == 60


@pytest.mark.parametrize("backend", ["postgres"])  # SQLite's writers take turns: no deadlock
def test_batches_of_two_processes_that_deadlock_both_commit(
    settings: Settings, runtime: Runtime, project: ApiProject
) -> None:
    for user in ("alpha", "bravo"):
        decide(runtime, project.id, _post(runtime, user, "hello"))
    other = Database(settings)
    groups: list[GroupCommit[Callable[[Session], int], int]] = [
        GroupCommit(runtime.database, each_write, 10, 10),
        GroupCommit(other, each_write, 10, 10),
    ]
    crossed = threading.Barrier(2)

    def lock_both(first: str, second: str) -> Callable[[Session], int]:
        attempts: list[int] = []

        def write(session: Session) -> int:
            attempts.append(1)
            _rename(session, project.id, first)
            if len(attempts) == 1:
                crossed.wait(10)  # each holds its first row: the second locks cross
            _rename(session, project.id, second)
            return len(attempts)

        return write

    try:
        with ThreadPoolExecutor(2) as pool:
            runs = [
                pool.submit(groups[0].write, lock_both("alpha", "bravo")),
                pool.submit(groups[1].write, lock_both("bravo", "alpha")),
            ]
            attempts = sorted(run.result(timeout=60) for run in runs)
    finally:
        for group in groups:
            group.close()
        other.dispose()

    assert attempts[0] == 1  # one went through
    assert attempts[1] >= 2  # the other was the deadlock victim, then ran again and committed
    assert _emails(runtime, project.id) == {"alpha", "bravo"}


def _rename(session: Session, project_id: int, key: str) -> None:
    session.execute(
        text("UPDATE actors SET email = :key WHERE project_id = :project AND external_id = :key"),
        {"key": key, "project": project_id},
    )


def _emails(runtime: Runtime, project_id: int) -> set[str | None]:
    with runtime.database.read() as session:
        rows = session.execute(
            text("SELECT email FROM actors WHERE project_id = :project"), {"project": project_id}
        )
        return {email for (email,) in rows}


@pytest.mark.parametrize("backend", ["sqlite"])  # only SQLite's writers take turns in-process
def test_a_loop_batch_waits_in_a_thread_while_another_thread_writes(
    runtime: Runtime, project: ApiProject, group: Group
) -> None:
    holding, loop_went_on = threading.Event(), threading.Event()
    saw_loop_go_on: list[bool] = []

    def other_writer() -> None:
        with runtime.database.write() as session:
            session.add(ModerationLog(project_id=project.id, who="test", action="other",
                                      at=datetime.now(UTC), detail={}))  # fmt: skip
            holding.set()
            saw_loop_go_on.append(loop_went_on.wait(timeout=10))

    async def send_while_held() -> list[object]:
        tasks = [asyncio.create_task(group.write_on_loop(note(project.id, n))) for n in range(3)]
        for _ in range(3):  # the tasks submit, then the batch's flush runs
            await asyncio.sleep(0)
        assert not any(task.done() for task in tasks)
        loop_went_on.set()
        return await asyncio.gather(*tasks)

    writer = threading.Thread(target=other_writer)
    writer.start()
    holding.wait(timeout=10)
    results = asyncio.run(send_while_held())
    writer.join()

    assert saw_loop_go_on == [True]
    assert results == [0, 1, 2]
    assert notes(runtime, project.id) == ["note 0", "note 1", "note 2", "other"]


@pytest.mark.parametrize("backend", ["sqlite"])
def test_writes_wait_for_a_batch_committing_in_a_thread_then_commit_on_the_loop(
    runtime: Runtime, project: ApiProject, group: Group
) -> None:
    """Sent to threads of their own, the later writes would find the first one's thread
    holding the write lock, and so on: the loop's batches would stay in threads."""
    holding, release = threading.Event(), threading.Event()
    ran: dict[int, tuple[int, int]] = {}  # write -> (thread, transaction's connection)

    def other_writer() -> None:
        with runtime.database.write() as session:
            session.add(ModerationLog(project_id=project.id, who="test", action="other",
                                      at=datetime.now(UTC), detail={}))  # fmt: skip
            holding.set()
            release.wait(timeout=10)

    def traced(n: int) -> Write:
        def write(session: Session) -> object:
            ran[n] = (threading.get_ident(), id(session.connection()))
            return note(project.id, n)(session)

        return write

    async def send() -> list[object]:
        first = asyncio.create_task(group.write_on_loop(traced(0)))
        for _ in range(3):  # submitted, flushed, found the lock taken: now in a thread
            await asyncio.sleep(0)
        later = [asyncio.create_task(group.write_on_loop(traced(n))) for n in (1, 2)]
        for _ in range(3):
            await asyncio.sleep(0)
        release.set()
        return await asyncio.gather(first, *later)

    writer = threading.Thread(target=other_writer)
    writer.start()
    holding.wait(timeout=10)
    loop_thread = threading.get_ident()  # asyncio.run runs the loop in this thread
    results = asyncio.run(send())
    writer.join()

    assert results == [0, 1, 2]
    assert ran[0][0] != loop_thread
    assert ran[1][0] == ran[2][0] == loop_thread
    assert ran[1][1] == ran[2][1]  # one batch
    assert notes(runtime, project.id) == ["note 0", "note 1", "note 2", "other"]
