"""What an API key may do and how much: ingest keys send events only, each key has a
request rate (429 with Retry-After past it, shared through Redis in scaled mode), and a
process sheds load with 503 past its requests in flight."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import httpx
import pytest
import redis
from starlette.testclient import TestClient
from starlette.types import Receive, Scope, Send

from spamward.api.limits import LoadShedMiddleware
from spamward.api.routes import OPERATIONS
from spamward.app import create_app
from spamward.rate_limits import MemoryRateLimiter, RedisRateLimiter
from spamward.runtime import Runtime, build_runtime
from spamward.services.projects import KeyScope, create_api_key
from spamward.settings import Settings
from tests.conftest import EXAMPLE_POST, REDIS_URL, ApiProject, Clock
from tests.test_api_errors import stored_events

EVENT = {"type": "post", "content": {"text": EXAMPLE_POST}}
ADMIN_ONLY = [op for op in OPERATIONS if op.authenticated and not op.ingest]


@pytest.fixture
def ingest_headers(runtime: Runtime, project: ApiProject) -> dict[str, str]:
    key = create_api_key(runtime.database, project.name, "site", KeyScope.INGEST)
    return {"Authorization": f"Bearer {key.token}"}


def test_an_ingest_key_sends_events_and_reads_their_decisions(
    client: TestClient, ingest_headers: dict[str, str]
) -> None:
    sent = client.post("/v1/events", json=EVENT, headers=ingest_headers)
    assert sent.status_code == 200, sent.text

    read = client.get(f"/v1/decisions/{sent.json()['id']}", headers=ingest_headers)

    assert read.status_code == 200
    assert read.json()["id"] == sent.json()["id"]


@pytest.mark.parametrize("operation", ADMIN_ONLY, ids=lambda op: f"{op.method} {op.path}")
def test_an_ingest_key_gets_403_from_every_other_operation(
    client: TestClient, ingest_headers: dict[str, str], operation: object
) -> None:
    method, path = operation.method, operation.path  # type: ignore[attr-defined]
    url = path.replace("{", "").replace("}", "")  # any path parameter: refused before it

    response = client.request(method, url, json={}, headers=ingest_headers)

    assert response.status_code == 403, response.text
    assert response.json()["error"]["code"] == "forbidden"


def test_the_document_says_which_operations_an_ingest_key_may_call(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]

    assert "403" not in paths["/v1/events"]["post"]["responses"]
    assert "403" in paths["/v1/entities"]["get"]["responses"]
    assert {"429", "503"} <= set(paths["/v1/events"]["post"]["responses"])


# --- request rate per key --------------------------------------------------------------------


@pytest.fixture
def limited(settings: Settings, clock: Clock) -> Iterator[TestClient]:
    slow = settings.model_copy(update={"api_key_rate_per_second": 0.01, "api_key_burst": 3})
    runtime = build_runtime(slow, clock)
    with TestClient(create_app(slow, runtime)) as client:
        yield client


def test_a_key_over_its_rate_gets_429_with_retry_after(
    limited: TestClient, project: ApiProject, other_project: ApiProject
) -> None:
    answers = [limited.post("/v1/events", json=EVENT, headers=project.headers) for _ in range(4)]

    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    refused = answers[-1]
    assert refused.json()["error"]["code"] == "too_many_requests"
    assert 1 <= int(refused.headers["retry-after"]) <= 100  # one interval: 1 / 0.01 s
    other = limited.post("/v1/events", json=EVENT, headers=other_project.headers)
    assert other.status_code == 200  # another key has its own rate


def test_a_refused_request_stores_nothing_and_every_operation_counts(
    limited: TestClient, project: ApiProject, runtime: Runtime
) -> None:
    for _ in range(2):
        limited.post("/v1/events", json=EVENT, headers=project.headers)
    limited.get("/v1/spam-users", headers=project.headers)

    refused = limited.post("/v1/events", json=EVENT, headers=project.headers)

    assert refused.status_code == 429
    assert stored_events(runtime) == 2


def test_memory_limiter_lets_a_burst_through_then_paces() -> None:
    limiter = MemoryRateLimiter(rate=1000, burst=5)

    waits = [limiter.wait_for("k") for _ in range(6)]

    assert waits[:5] == [0.0] * 5
    assert 0 < waits[5] <= 0.001


def test_redis_limiter_is_shared_by_every_process() -> None:
    prefix = f"test-rate-{uuid.uuid4().hex}"
    first, second = (RedisRateLimiter(REDIS_URL, prefix, rate=0.01, burst=2, timeout=2.0)
                     for _ in range(2))  # fmt: skip
    try:
        waits = [first.wait_for("7"), second.wait_for("7"), first.wait_for("7")]
    except redis.RedisError as error:
        pytest.fail(f"Redis at {REDIS_URL}: {error}")
    finally:
        first.close()
        second.close()
        redis.Redis.from_url(REDIS_URL).delete(f"{prefix}:rate:7")

    assert waits[:2] == [0.0, 0.0]
    assert waits[2] > 90  # the third within the burst of 2 waits about 1 / 0.01 s


def test_redis_limiter_lets_requests_in_when_redis_is_down() -> None:
    limiter = RedisRateLimiter("redis://127.0.0.1:1/0", "x", rate=0.01, burst=1, timeout=0.2)

    assert [limiter.wait_for("k") for _ in range(3)] == [0.0, 0.0, 0.0]


# --- shedding load ---------------------------------------------------------------------------


def test_past_its_requests_in_flight_the_api_answers_503_at_once() -> None:
    asyncio.run(_shed_while_one_request_is_held())


async def _shed_while_one_request_is_held() -> None:
    entered, release = asyncio.Event(), asyncio.Event()

    async def held_app(scope: Scope, receive: Receive, send: Send) -> None:
        entered.set()
        await release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"done"})

    shed = LoadShedMiddleware(held_app, max_in_flight=1)
    transport = httpx.ASGITransport(app=shed)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        first = asyncio.create_task(client.post("/v1/events"))
        await entered.wait()
        refused = await client.post("/v1/events")
        outside = asyncio.create_task(client.get("/healthz"))  # not an API request: not shed
        release.set()
        answered, health = await first, await outside
        after = await client.post("/v1/events")

    assert refused.status_code == 503
    assert refused.headers["retry-after"] == "1"
    assert refused.json()["error"]["code"] == "overloaded"
    assert (answered.status_code, health.status_code, after.status_code) == (200, 200, 200)
    assert shed.in_flight == 0
