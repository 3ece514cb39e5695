"""Dashboard sessions: a session fixed before login is never the one logged in, and behind
HTTPS (`secure_cookies`) the cookie is marked Secure."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from spamward.app import create_app
from spamward.runtime import Runtime, build_runtime
from spamward.services.moderators import ModeratorRef
from spamward.settings import Settings
from tests.conftest import Clock
from tests.test_dashboard import (
    SESSION_COOKIE,
    logged_in,
    login,
    session_cookie,
)
from tests.test_dashboard import moderator as moderator  # noqa: PLC0414 (a fixture)


def test_a_session_planted_before_login_is_not_logged_in_after_it(
    client: TestClient, settings: Settings, runtime: Runtime, moderator: ModeratorRef
) -> None:
    planted = session_cookie(client.get("/login"))[SESSION_COOKIE].value  # the attacker's
    assert login(client).status_code == 303

    with TestClient(create_app(settings, runtime)) as attacker:
        attacker.cookies.set(SESSION_COOKIE, planted)

        assert not logged_in(attacker)
    assert logged_in(client)


@pytest.fixture
def behind_https(settings: Settings, clock: Clock) -> Iterator[TestClient]:
    secure = settings.model_copy(update={"secure_cookies": True})
    with TestClient(create_app(secure, build_runtime(secure, clock)),
                    base_url="https://testserver") as client:  # fmt: skip
        yield client


def test_behind_https_the_session_cookie_is_secure(
    behind_https: TestClient, moderator: ModeratorRef
) -> None:
    response = login(behind_https)

    assert response.status_code == 303
    assert session_cookie(response)[SESSION_COOKIE]["secure"] is True
