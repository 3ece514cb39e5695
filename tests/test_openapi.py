"""The OpenAPI document is valid, complete, and served with the docs page."""

from __future__ import annotations

from pathlib import Path

from openapi_spec_validator import validate
from starlette.testclient import TestClient

from spamward.api.reference import reference_markdown
from spamward.api.routes import OPERATIONS


def test_spec_is_valid_and_lists_every_operation(client: TestClient) -> None:
    response = client.get("/openapi.json")

    assert response.status_code == 200
    spec = response.json()
    validate(spec)
    served = {(method.upper(), path) for path, ops in spec["paths"].items() for method in ops}
    assert served == {(op.method, op.path) for op in OPERATIONS}
    event_op = spec["paths"]["/v1/events"]["post"]
    assert {"400", "401", "413", "415", "422"} <= set(event_op["responses"])
    assert event_op["security"] == [{"bearer": []}]


def test_docs_page_renders_from_the_spec(client: TestClient) -> None:
    response = client.get("/docs")

    assert response.status_code == 200
    assert "POST /v1/events" in response.text
    assert "EventIn" in response.text
    assert "script-src 'self'" in response.headers["content-security-policy"]


def test_health(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}


def test_the_api_reference_is_the_one_the_document_gives() -> None:
    committed = (Path(__file__).resolve().parent.parent / "docs" / "api-reference.md").read_text(
        encoding="utf-8"
    )

    assert committed == reference_markdown(), (
        "run: spamward openapi --markdown > docs/api-reference.md"
    )
    for op in OPERATIONS:
        assert f"### `{op.method} {op.path}`" in committed
