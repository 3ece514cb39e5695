"""Lists held in process memory (storage/held_lists.py), on SQLite and PostgreSQL: what a
decision reads, kept current by the changes triggers write on every list entry change, in
this process at once and in another within `fresh_seconds`."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from sqlalchemy import delete, insert, select, update

from spamward.domain.decision import ListName
from spamward.domain.entity import EntityKind
from spamward.runtime import Runtime, build_runtime
from spamward.services import lists
from spamward.services.lists import NewEntry
from spamward.services.retention import run_retention
from spamward.settings import Settings
from spamward.storage.models import ListChange, ListEntry
from tests.conftest import ApiProject, Clock

DOMAIN, URL = EntityKind.DOMAIN, EntityKind.URL


@pytest.fixture
def other(settings: Settings, clock: Clock) -> Iterator[Runtime]:
    """Another process on the same database, reading changes every 50 ms."""
    built = build_runtime(settings.model_copy(update={"fresh_seconds": 0.05}), clock)
    yield built
    built.close()


def listed(runtime: Runtime, project: ApiProject, *keys: tuple[EntityKind, str]) -> dict[str, str]:
    found = runtime.lists.listed(project.id, keys, runtime.clock())
    return {value: name.value for (_, value), name in found.items()}


def deny(runtime: Runtime, project: ApiProject, value: str, kind: EntityKind = DOMAIN) -> int:
    view = lists.add_to_list(runtime, project.id, ListName.DENY, NewEntry(kind, value), "test")
    return view.id


def eventually(check: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "not seen before the deadline"


def test_a_change_in_this_process_is_read_at_once(runtime: Runtime, project: ApiProject) -> None:
    assert listed(runtime, project, (DOMAIN, "spam.com")) == {}

    entry_id = deny(runtime, project, "spam.com")
    denied = listed(runtime, project, (DOMAIN, "spam.com"))
    lists.remove_from_list(runtime, project.id, ListName.DENY, entry_id, "test")
    removed = listed(runtime, project, (DOMAIN, "spam.com"))

    assert denied == {"spam.com": "deny"}
    assert removed == {}


def test_another_process_reads_changes_within_its_fresh_seconds(
    runtime: Runtime, other: Runtime, project: ApiProject
) -> None:
    kept = deny(runtime, project, "kept.com")
    dropped = deny(runtime, project, "dropped.com")
    assert listed(other, project, (DOMAIN, "kept.com"), (DOMAIN, "dropped.com")) == {
        "kept.com": "deny", "dropped.com": "deny"}  # fmt: skip

    lists.remove_from_list(runtime, project.id, ListName.DENY, dropped, "test")
    deny(runtime, project, "new.com")
    lists.add_to_list(runtime, project.id, ListName.ALLOW, NewEntry(DOMAIN, "kept.com"), "t")

    keys = ((DOMAIN, "kept.com"), (DOMAIN, "dropped.com"), (DOMAIN, "new.com"))
    want = {"kept.com": "allow", "new.com": "deny"}
    eventually(lambda: listed(other, project, *keys) == want)
    assert kept != dropped


def test_lists_are_per_project(
    runtime: Runtime, project: ApiProject, other_project: ApiProject
) -> None:
    deny(runtime, project, "spam.com")

    assert listed(runtime, other_project, (DOMAIN, "spam.com")) == {}
    assert runtime.lists.size(other_project.id) == 0
    assert runtime.lists.size(project.id) == 1


def test_an_ignore_entry_stops_applying_when_it_expires(
    runtime: Runtime, project: ApiProject, clock: Clock
) -> None:
    lists.add_to_list(runtime, project.id, ListName.IGNORE, NewEntry(DOMAIN, "meh.com"), "t")
    ignored = listed(runtime, project, (DOMAIN, "meh.com"))

    clock.advance(days=15)  # past the project's 14 ignore days

    assert ignored == {"meh.com": "ignore"}
    assert listed(runtime, project, (DOMAIN, "meh.com")) == {}


def test_every_kind_of_write_is_noted_by_the_triggers(
    runtime: Runtime, project: ApiProject, clock: Clock
) -> None:
    with runtime.database.write() as session:
        session.execute(insert(ListEntry).values(
            project_id=project.id, list="deny", kind="domain", value="raw.com", display="raw.com",
            created_at=clock.now, probation=False))  # fmt: skip
        session.execute(update(ListEntry).where(ListEntry.value == "raw.com").values(list="allow"))
    changes_before_delete = _changes(runtime, project)
    allowed = listed(runtime, project, (DOMAIN, "raw.com"))
    with runtime.database.write() as session:
        session.execute(delete(ListEntry).where(ListEntry.value == "raw.com"))

    assert changes_before_delete == [("domain", "raw.com")] * 2
    assert allowed == {"raw.com": "allow"}
    assert listed(runtime, project, (DOMAIN, "raw.com")) == {}
    assert len(_changes(runtime, project)) == 3


def test_many_entries_load_whole_and_change_one_by_one(
    runtime: Runtime, other: Runtime, project: ApiProject, clock: Clock
) -> None:
    with runtime.database.write() as session:
        session.execute(insert(ListEntry), [
            {"project_id": project.id, "list": "deny", "kind": "url", "value": f"spam.com/{n}",
             "display": f"spam.com/{n}", "created_at": clock.now, "probation": False}
            for n in range(5000)
        ])  # fmt: skip
    keys = [(URL, f"spam.com/{n}") for n in (0, 2500, 4999, 5000)]
    first = listed(other, project, *keys)
    deny(runtime, project, "spam.com/5000", URL)

    eventually(lambda: len(listed(other, project, *keys)) == 4)
    assert other.lists.size(project.id) == 5001
    assert first == {f"spam.com/{n}": "deny" for n in (0, 2500, 4999)}


def test_retention_forgets_old_changes_and_a_process_still_agrees(
    runtime: Runtime, project: ApiProject, clock: Clock
) -> None:
    deny(runtime, project, "spam.com")
    with runtime.database.write() as session:
        session.execute(update(ListChange).values(changed_at=clock.now - timedelta(hours=2)))

    run_retention(runtime)

    assert _changes(runtime, project) == []
    assert listed(runtime, project, (DOMAIN, "spam.com")) == {"spam.com": "deny"}


def _changes(runtime: Runtime, project: ApiProject) -> list[tuple[str, str]]:
    with runtime.database.read() as session:
        rows = session.execute(
            select(ListChange.kind, ListChange.value)
            .where(ListChange.project_id == project.id)
            .order_by(ListChange.id)
        )
        return [(kind, value) for kind, value in rows]


def test_readers_go_on_with_held_lists_while_one_reads_another_process_changes(
    runtime: Runtime, other: Runtime, project: ApiProject
) -> None:
    """Lists older than `fresh_seconds` are brought up to date by one reader; the others
    don't queue behind it (holding their database connections): they read what is held."""
    assert listed(other, project, (DOMAIN, "spam.com")) == {}
    deny(runtime, project, "spam.com")
    held = other.lists._projects[project.id]
    held.checked_at = float("-inf")  # due for a refresh
    with held.lock:  # a reader is refreshing
        during = listed(other, project, (DOMAIN, "spam.com"))

    assert during == {}  # answered at once, from what was held
    assert listed(other, project, (DOMAIN, "spam.com")) == {"spam.com": "deny"}


def test_a_change_in_this_process_waits_for_a_refresh_under_way(
    runtime: Runtime, project: ApiProject
) -> None:
    assert listed(runtime, project, (DOMAIN, "spam.com")) == {}
    held = runtime.lists._projects[project.id]
    deny(runtime, project, "spam.com")
    answers: list[dict[str, str]] = []
    reader = threading.Thread(
        target=lambda: answers.append(listed(runtime, project, (DOMAIN, "spam.com")))
    )
    with held.lock:  # a refresh under way: this process's own change must not be missed
        reader.start()
        reader.join(0.2)  # not timing: the reader must still be waiting when this ends
        assert reader.is_alive()
    reader.join(10)

    assert answers == [{"spam.com": "deny"}]
