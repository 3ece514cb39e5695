"""Velocity windows beyond the defaults, from settings: rules may read them once configured
(and are refused before), and the counters count over them."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from spamward.app import create_app
from spamward.domain.velocity import windows_with
from spamward.errors import ConfigError
from spamward.runtime import build_runtime
from spamward.settings import Settings, load_settings
from tests.conftest import ApiProject, Clock, make_project

FIVE_MINUTES_RULE = {
    "name": "five_minute_burst",
    "condition": "velocity.user_5m >= 2",
    "verdict": "flag",
}


def post(client: TestClient, project: ApiProject) -> Any:
    event = {"type": "comment", "actor": {"id": "u"}, "content": {"text": "hello"}}
    response = client.post("/v1/events", json=event, headers=project.headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_extra_windows_join_the_defaults_in_order() -> None:
    assert list(windows_with(("5m", "1w"))) == ["1m", "5m", "10m", "1h", "1d", "1w"]
    assert windows_with(("5m",))["5m"] == 300


def test_a_configured_window_can_be_read_by_rules_and_counts(
    settings: Settings, clock: Clock
) -> None:
    configured = settings.model_copy(update={"velocity_windows": ("5m",)})
    runtime = build_runtime(configured, clock)
    try:
        project = make_project(runtime, "site-windows")
        with TestClient(create_app(configured, runtime)) as client:
            added = client.post("/v1/rules", json=FIVE_MINUTES_RULE, headers=project.headers)
            assert added.status_code == 201, added.text
            assert client.post("/v1/policy/publish", headers=project.headers).status_code == 201
            verdicts = []
            for _ in range(3):
                verdicts.append(post(client, project)["verdict"])
                clock.advance(minutes=2)
            clock.advance(minutes=10)
            later = post(client, project)
    finally:
        runtime.close()

    assert verdicts == ["allow", "allow", "flag"]
    assert later["verdict"] == "allow"
    assert later["signals"]["velocity"]["user_5m"] == 0
    assert later["signals"]["velocity"]["user_1h"] == 3


def test_an_unconfigured_window_is_refused_on_save(client: TestClient, project: ApiProject) -> None:
    refused = client.post("/v1/rules", json=FIVE_MINUTES_RULE, headers=project.headers)

    assert refused.status_code == 422
    assert "unknown field 'user_5m' on velocity" in refused.json()["error"]["message"]


@pytest.mark.parametrize("window", ["5x", "0m", "m", "99999h"])
def test_a_bad_window_setting_is_a_config_error(
    window: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SPAMWARD_VELOCITY_WINDOWS", f'["{window}"]')

    with pytest.raises(ConfigError):
        load_settings()
