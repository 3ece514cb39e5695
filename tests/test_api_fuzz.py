"""Schemathesis against the OpenAPI document, over a real server: for generated requests to
every operation, no 5xx, every response matches the document (status, headers, body), a
request without a valid key (schemathesis sends some) gets 401, and a request the document
rules out is refused.

Left out: schemathesis's check that every request the document allows is accepted. The
API refuses some on purpose, with a 422 and a JSON body: what JSON Schema cannot say
(retention at least the window, a rule's condition that must compile), NUL characters, and
an integer written as 7.0."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from requests.structures import CaseInsensitiveDict
from schemathesis import AuthContext, Case
from schemathesis.specs.openapi.checks import positive_data_acceptance
from starlette.testclient import TestClient

from spamward.api.openapi import build_openapi
from spamward.api.routes import OPERATIONS
from spamward.runtime import Runtime
from spamward.services.projects import KEY_PREFIX, create_project, hash_key
from spamward.storage.repositories.projects import insert_api_key
from tests.live_server import serving_in_thread

EXAMPLES_PER_OPERATION = 25
AnyCase = Case[Any]
schema = schemathesis.openapi.from_dict(build_openapi(OPERATIONS))
# Known before any test runs: schemathesis draws some cases, keys included, at collection.
FUZZ_KEY = KEY_PREFIX + "fuzz-" * 8


@schema.auth()
class ProjectKey:
    """Schemathesis applies the key itself, so that it can leave it out on purpose."""

    def get(self, case: AnyCase, context: AuthContext) -> str:
        return FUZZ_KEY

    def set(self, case: AnyCase, data: str, context: AuthContext) -> None:
        if case.headers is None:
            case.headers = CaseInsensitiveDict()
        case.headers["Authorization"] = f"Bearer {data}"


@pytest.fixture
def sent(request: pytest.FixtureRequest) -> Iterator[list[int]]:
    """Requests this operation's test sent, reported at the end of the run."""
    count = [0]
    yield count
    request.node.user_properties.append(("fuzz_requests", count[0]))


@pytest.fixture
def base_url(client: TestClient, runtime: Runtime) -> Iterator[str]:
    project = create_project(runtime.database, "fuzzed")
    with runtime.database.write() as session:
        insert_api_key(
            session, project.id, "fuzz", FUZZ_KEY[:10], hash_key(FUZZ_KEY), runtime.clock()
        )
    with serving_in_thread(client.app) as url:
        yield url


@schema.parametrize()
@settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))  # fmt: skip
def test_generated_requests_get_documented_answers(
    case: AnyCase, base_url: str, sent: list[int]
) -> None:
    sent[0] += 1
    case.call_and_validate(base_url=base_url, excluded_checks=[positive_data_acceptance])
