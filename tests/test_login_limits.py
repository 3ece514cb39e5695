"""Failed dashboard logins are limited: 5 for an e-mail or from an address within 15
minutes, then 429 with Retry-After. In scaled mode every API process counts them together
through Redis; with Redis down, each process still counts its own."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from spamward.app import create_app
from spamward.dashboard.login_limit import MAX_FAILURES, WINDOW_SECONDS, RedisLoginLimiter
from spamward.runtime import Runtime, build_runtime
from spamward.services.moderators import Role, create_moderator
from spamward.settings import Settings
from tests.conftest import REDIS_URL, ApiProject, Clock
from tests.test_dashboard import login

EMAIL, PASSWORD = "mod@example.org", "a long enough password"


@pytest.fixture
def moderator(runtime: Runtime, project: ApiProject) -> str:
    create_moderator(runtime.database, EMAIL, PASSWORD, project.name, Role.MODERATOR)
    return EMAIL


def fail(client: TestClient, times: int, email: str = EMAIL) -> list[int]:
    return [login(client, email, "wrong password").status_code for _ in range(times)]


@pytest.mark.usefixtures("moderator")
def test_after_five_failures_logins_are_refused_with_retry_after(client: TestClient) -> None:
    assert fail(client, MAX_FAILURES) == [401] * MAX_FAILURES

    refused = login(client, EMAIL, PASSWORD)  # even the right password, for now

    assert refused.status_code == 429
    assert 0 < int(refused.headers["retry-after"]) <= WINDOW_SECONDS
    assert "Too many failed logins" in refused.text
    other_account = login(client, "someone@example.org", "x")
    assert other_account.status_code == 429  # the same address is limited too


@pytest.mark.usefixtures("moderator")
def test_a_successful_login_clears_the_failures(client: TestClient) -> None:
    fail(client, MAX_FAILURES - 1)
    assert login(client, EMAIL, PASSWORD).status_code == 303
    client.cookies.clear()

    assert fail(client, MAX_FAILURES - 1) == [401] * (MAX_FAILURES - 1)
    assert login(client, EMAIL, PASSWORD).status_code == 303


@pytest.fixture
def two_processes(settings: Settings, clock: Clock) -> Iterator[tuple[TestClient, TestClient]]:
    """Two API apps sharing Redis, as two `serve` processes do."""
    shared = settings.model_copy(
        update={"redis_url": REDIS_URL, "redis_prefix": f"test-{uuid.uuid4().hex[:12]}"}
    )
    runtimes = [build_runtime(shared, clock) for _ in range(2)]
    with (
        TestClient(create_app(shared, runtimes[0])) as first,
        TestClient(create_app(shared, runtimes[1])) as second,
    ):
        yield first, second


@pytest.mark.usefixtures("moderator")
def test_in_scaled_mode_every_process_counts_the_same_failures(
    two_processes: tuple[TestClient, TestClient],
) -> None:
    first, second = two_processes
    fail(first, 3)
    fail(second, MAX_FAILURES - 3)

    assert login(first, EMAIL, PASSWORD).status_code == 429
    assert login(second, EMAIL, PASSWORD).status_code == 429


def test_with_redis_down_a_process_still_counts_its_own_failures() -> None:
    limiter = RedisLoginLimiter("redis://127.0.0.1:1/0", "x", timeout=0.2)
    keys = ("email:a@example.org", "ip:192.0.2.1")

    for _ in range(MAX_FAILURES):
        assert limiter.retry_after(*keys) == 0
        limiter.failed(*keys)

    assert limiter.retry_after(*keys) > 0
