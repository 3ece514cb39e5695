"""The OpenAPI 3.1 document, built from the operation table and the pydantic schemas."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from spamward import __version__
from spamward.api.http import Operation
from spamward.api.schemas import ErrorOut

_REF = "#/components/schemas/{model}"
_STATUS_TEXT = {
    200: "OK",
    201: "Created",
    202: "Accepted: running as a job",
    204: "No content",
    400: "Malformed request (invalid JSON or encoding)",
    401: "Missing, unknown or revoked API key",
    404: "Not found in this project",
    409: "Conflicts with what is stored",
    403: "An ingest key, and the operation needs an admin key",
    413: "Body over the size limit",
    415: "Body is not JSON",
    422: "Body or parameters fail validation",
    429: "The API key is over its request rate: retry after `Retry-After` seconds",
    503: "Overloaded or the database is unavailable: retry after `Retry-After` seconds",
}


def build_openapi(operations: Sequence[Operation]) -> dict[str, Any]:
    models = _models(operations)
    refs, schemas = models_json_schema(models, ref_template=_REF)
    paths: dict[str, dict[str, Any]] = {}
    for operation in operations:
        paths.setdefault(operation.path, {})[operation.method.lower()] = _operation(operation, refs)
    return {
        "openapi": "3.1.0",
        "info": {"title": "spamward API", "version": __version__},
        "paths": paths,
        "components": {
            "schemas": schemas.get("$defs", {}),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


Mode = Literal["validation", "serialization"]


def _models(operations: Sequence[Operation]) -> list[tuple[type[BaseModel], Mode]]:
    found: list[tuple[type[BaseModel], Mode]] = [(ErrorOut, "serialization")]
    for operation in operations:
        found += [(model, "validation") for model in (operation.body, operation.query) if model]
        if operation.response is not None:
            found.append((operation.response, "serialization"))
    return list(dict.fromkeys(found))


def _operation(operation: Operation, refs: dict[Any, Any]) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "summary": operation.summary,
        "operationId": operation.handler.__name__,
        "parameters": _parameters(operation),
        "responses": _responses(operation, refs),
    }
    if operation.authenticated:
        spec["security"] = [{"bearer": []}]
    if operation.body is not None:
        spec["requestBody"] = {  # an empty body reads as {}: required when {} cannot do
            "required": any(f.is_required() for f in operation.body.model_fields.values()),
            "content": {"application/json": {"schema": refs[(operation.body, "validation")]}},
        }
    return spec


def _parameters(operation: Operation) -> list[dict[str, Any]]:
    parameters = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in re.findall(r"{(\w+)}", operation.path)
    ]
    if operation.query is not None:
        schema = operation.query.model_json_schema(ref_template=_REF)
        required = set(schema.get("required", ()))
        parameters += [
            {"name": name, "in": "query", "required": name in required, "schema": prop}
            for name, prop in schema["properties"].items()
        ]
    return parameters


def _responses(operation: Operation, refs: dict[Any, Any]) -> dict[str, Any]:
    ok: dict[str, Any] = {"description": _STATUS_TEXT[operation.status]}
    if operation.response is not None:
        schema = refs[(operation.response, "serialization")]
        ok["content"] = {"application/json": {"schema": schema}}
    error_schema = refs[(ErrorOut, "serialization")]
    responses = {str(operation.status): ok}
    for status in sorted({*operation.errors, *_limit_errors(operation)}):
        responses[str(status)] = {
            "description": _STATUS_TEXT[status],
            "content": {"application/json": {"schema": error_schema}},
        }
    return responses


def _limit_errors(operation: Operation) -> tuple[int, ...]:
    """What any operation may answer besides its own errors: the load limit, and for a
    keyed one the key's scope and request rate."""
    if not operation.authenticated:
        return (503,)
    return (429, 503) if operation.ingest else (403, 429, 503)
