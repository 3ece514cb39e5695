"""Deciding on the event loop (embedded mode): what may take long to load (a project's
lists, its policy) is loaded in a worker thread, so that no other request waits on the loop
for it, and the decision made after the load reads what was loaded."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any

import pytest

from spamward.domain.decision import ListName
from spamward.domain.entity import EntityKind
from spamward.domain.event import Actor, Content, Event, EventType
from spamward.runtime import Runtime
from spamward.services import lists, policies
from spamward.services.decision_record import DecisionRecord
from spamward.services.decisions import decide_on_loop
from spamward.storage import held_lists
from tests.conftest import ApiProject

pytestmark = pytest.mark.parametrize("backend", ["sqlite"])  # the loop judges local stores only


class Threads:
    """The threads that ran each watched loader, by the loader's name."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.ran: dict[str, list[int]] = {}
        self._monkeypatch = monkeypatch

    def watch(self, module: object, name: str) -> None:
        loader: Callable[..., Any] = getattr(module, name)

        def traced(*args: Any, **kwargs: Any) -> Any:
            self.ran.setdefault(name, []).append(threading.get_ident())
            return loader(*args, **kwargs)

        self._monkeypatch.setattr(module, name, traced)


def decide_in_loop(runtime: Runtime, project: ApiProject, text: str) -> tuple[DecisionRecord, int]:
    """A decision made on a fresh event loop, and the loop's thread."""

    async def deciding() -> tuple[DecisionRecord, int]:
        event = Event(EventType.POST, Actor(user_id="u1"), runtime.clock(), Content(text=text))
        return await decide_on_loop(runtime, project.id, event), threading.get_ident()

    return asyncio.run(deciding())


def deny(runtime: Runtime, project: ApiProject, domain: str) -> None:
    entry = lists.NewEntry(EntityKind.DOMAIN, domain)
    lists.add_to_list(runtime, project.id, ListName.DENY, entry, "test")


@pytest.fixture
def threads(monkeypatch: pytest.MonkeyPatch) -> Threads:
    watched = Threads(monkeypatch)
    watched.watch(held_lists, "_load_all")
    watched.watch(held_lists, "_apply_changes")
    watched.watch(policies, "compile_policy")
    return watched


def test_a_projects_first_decision_loads_its_lists_and_policy_off_the_loop(
    runtime: Runtime, project: ApiProject, threads: Threads
) -> None:
    deny(runtime, project, "spam-shop.biz")

    record, loop_thread = decide_in_loop(runtime, project, "cheap https://spam-shop.biz/x")

    assert record.verdict == "block"
    assert set(threads.ran) == {"_load_all", "compile_policy"}
    assert loop_thread not in threads.ran["_load_all"] + threads.ran["compile_policy"]


def test_a_list_change_is_read_off_the_loop_and_applies_to_the_next_decision(
    runtime: Runtime, project: ApiProject, threads: Threads
) -> None:
    first, _ = decide_in_loop(runtime, project, "see https://later-spam.info/x")
    deny(runtime, project, "later-spam.info")

    second, loop_thread = decide_in_loop(runtime, project, "see https://later-spam.info/y")

    assert first.verdict != "block"
    assert second.verdict == "block"
    assert threads.ran["_apply_changes"]
    assert loop_thread not in threads.ran["_apply_changes"]
