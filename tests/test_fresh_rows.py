"""API keys and project settings kept in process for a moment (storage/fresh.py): kept
within their age, read again after it, forgotten at once when this process commits a change,
and a change by another process seen once the age has passed."""

from __future__ import annotations

import time

import pytest
from starlette.testclient import TestClient

from spamward.runtime import Runtime, build_runtime
from spamward.services import api_keys, project_settings
from spamward.services.projects import KeyScope, find_project, hash_key
from spamward.settings import Settings
from spamward.storage.fresh import Fresh
from tests.conftest import ApiProject, Clock

POST = {"type": "post", "actor": {"id": "u1"}, "content": {"text": "hello there"}}


class Ticks:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def counted_loads(values: dict[str, int]) -> tuple[list[str], Fresh[str, int], Ticks]:
    loads: list[str] = []
    ticks = Ticks()

    def load(key: str) -> int | None:
        loads.append(key)
        return values.get(key)

    return loads, Fresh(load, max_age=0.5, max_entries=2, clock=ticks), ticks


def test_a_value_is_kept_for_its_age_then_read_again() -> None:
    values = {"a": 1}
    loads, fresh, ticks = counted_loads(values)

    first = fresh.get("a")
    values["a"] = 2
    ticks.now += 0.4
    kept = fresh.get("a")
    ticks.now += 0.2
    renewed = fresh.get("a")

    assert (first, kept, renewed) == (1, 1, 2)
    assert loads == ["a", "a"]


def test_forget_drops_every_value_and_none_is_never_kept() -> None:
    values = {"a": 1, "b": 2}
    loads, fresh, _ = counted_loads(values)

    fresh.get("a")
    fresh.forget()
    fresh.get("a")
    fresh.get("missing")
    fresh.get("missing")

    assert loads == ["a", "a", "missing", "missing"]


def test_the_number_of_values_kept_is_bounded() -> None:
    values = {"a": 1, "b": 2, "c": 3}
    loads, fresh, _ = counted_loads(values)

    for key in ("a", "b", "c", "a"):
        fresh.get(key)

    assert loads == ["a", "b", "c", "a"]  # "a" was dropped when "c" came past the bound


def test_a_revoked_key_is_refused_at_once(
    client: TestClient, runtime: Runtime, project: ApiProject
) -> None:
    ref = find_project(runtime.database, project.name)
    spare = api_keys.create_key(runtime, ref, "spare", "test", KeyScope.ADMIN)
    headers = {"Authorization": f"Bearer {spare.token}"}
    before = client.post("/v1/events", json=POST, headers=headers)

    [spare_id] = [k.id for k in api_keys.list_keys(runtime, ref.id, 10, 0) if k.name == "spare"]
    api_keys.revoke_key(runtime, project.id, spare_id, "test")
    after = client.post("/v1/events", json=POST, headers=headers)

    assert before.status_code == 200
    assert after.status_code == 401
    assert after.json()["error"]["code"] == "unauthorized"


def test_a_settings_change_applies_to_the_next_decision(
    client: TestClient, runtime: Runtime, project: ApiProject
) -> None:
    text = "Limited offer: earn real money from home with our amazing program today"
    post = {"type": "post", "actor": {"id": "u1"}, "content": {"text": text}}
    counted = client.post("/v1/events", json=post, headers=project.headers).json()

    project_settings.update_settings(runtime, project.id, {"duplicate_text_min_chars": 200}, "t")
    too_short = client.post("/v1/events", json=post, headers=project.headers).json()

    assert counted["entities"]["texts"] != []
    assert too_short["entities"]["texts"] == []


def test_another_process_sees_a_revocation_once_its_key_has_aged(
    settings: Settings, runtime: Runtime, project: ApiProject, clock: Clock
) -> None:
    other = build_runtime(settings.model_copy(update={"fresh_seconds": 0.05}), clock)
    try:
        key_hash = hash_key(project.key)
        assert other.live_keys.get(key_hash) is not None
        for key in api_keys.list_keys(runtime, project.id, 10, 0):
            api_keys.revoke_key(runtime, project.id, key.id, "test")

        assert _eventually_none(other, key_hash)
    finally:
        other.close()


def _eventually_none(other: Runtime, key_hash: str) -> bool:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        if other.live_keys.get(key_hash) is None:
            return True
    return False


@pytest.mark.parametrize("seconds", [-1, 61])
def test_fresh_seconds_is_bounded(seconds: float) -> None:
    with pytest.raises(ValueError, match="fresh_seconds"):
        Settings(fresh_seconds=seconds)
