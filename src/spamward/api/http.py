"""The shape of an API operation: a handler that gets an `ApiCall` and returns (status,
body). The async shell reads the body, then admits the key (its scope, its request rate) and
runs the handler: a sync handler in a worker thread, so that storage calls never block the
event loop; an async one (the decision path) on the loop, admitted there when every store is
local and in a worker thread otherwise."""

from __future__ import annotations

import inspect
import re
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, TypeVar, cast

import orjson
from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers, QueryParams
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from spamward.errors import (
    Forbidden,
    InvalidEncoding,
    InvalidJson,
    NotFound,
    TooManyRequests,
    Unauthorized,
    UnsupportedMediaType,
    ValidationFailed,
)
from spamward.rate_limits import retry_after_seconds
from spamward.runtime import Runtime
from spamward.services.projects import Caller, KeyScope, caller_for_key

Model = TypeVar("Model", bound=BaseModel)
NUL_REFUSED = "NUL characters (\\u0000) are not accepted"
_NUL_ESCAPE = re.compile(r"(?<!\\)(?:\\\\)*\\u0000")  # an escape, not an escaped backslash


def _refuse_nul(request: Request) -> None:
    """PostgreSQL text cannot hold NUL: refused in the path and the query string as in
    bodies, with the same 422, rather than failing in storage."""
    for where, values in (
        ("path", request.path_params.values()),
        ("query", request.query_params.values()),
    ):
        if any("\x00" in str(value) for value in values):
            raise ValidationFailed(NUL_REFUSED, [{"field": where, "message": NUL_REFUSED}])


@dataclass(frozen=True)
class ApiCall:
    runtime: Runtime
    headers: Headers
    query: QueryParams
    path_params: dict[str, Any]
    body: bytes

    def caller(self) -> Caller:
        """Who the Bearer key speaks for; every handler scopes its work to its project."""
        return self._caller

    @cached_property
    def _caller(self) -> Caller:
        """Looked up once a request: the admission checks it, then the handler uses it."""
        scheme, _, token = self.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized("missing API key: send 'Authorization: Bearer <key>'")
        return caller_for_key(self.runtime, token.strip())

    def project_id(self) -> int:
        return self.caller().project_id

    def path_int(self, name: str, what: str) -> int:
        """A numeric id from the path; NotFound ("no such <what>") for anything else."""
        raw = str(self.path_params[name])
        if not (raw.isascii() and raw.isdigit() and len(raw) <= 18):  # int() takes "²" too
            raise NotFound(f"no such {what}")
        return int(raw)

    def path_uuid(self, name: str, what: str) -> uuid.UUID:
        try:
            return uuid.UUID(str(self.path_params[name]))
        except ValueError:
            raise NotFound(f"no such {what}") from None

    def json(self, model: type[Model]) -> Model:
        try:
            return model.model_validate_json(self._text(), strict=True)  # `true` is no 1
        except ValidationError as error:
            raise _validation_error(error) from None

    def json_value(self) -> Any:
        """The body as plain JSON data, for services that check it themselves."""
        try:
            return orjson.loads(self._text())
        except orjson.JSONDecodeError as error:
            raise InvalidJson(f"body is not valid JSON: {error}") from None

    def _text(self) -> str:
        content_type = self.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type != "application/json" and not content_type.endswith("+json"):
            raise UnsupportedMediaType("send the body as application/json")
        try:
            text = self.body.decode("utf-8")
        except UnicodeDecodeError as error:
            raise InvalidEncoding(f"body is not valid UTF-8 (byte {error.start})") from error
        if "\\u0000" in text and _NUL_ESCAPE.search(text):
            raise ValidationFailed(NUL_REFUSED, [{"field": "body", "message": NUL_REFUSED}])
        return text

    def params(self, model: type[Model]) -> Model:
        try:
            return model.model_validate(dict(self.query))
        except ValidationError as error:
            raise _validation_error(error) from None


def _validation_error(error: ValidationError) -> Exception:
    problems = error.errors(include_url=False, include_input=False, include_context=False)
    if any(problem["type"] == "json_invalid" for problem in problems):
        return InvalidJson(f"body is not valid JSON: {problems[0]['msg']}")
    details = [
        {"field": ".".join(map(str, problem["loc"])), "message": problem["msg"]}
        for problem in problems
    ]
    summary = "; ".join(f"{d['field'] or 'body'}: {d['message']}" for d in details[:3])
    return ValidationFailed(f"invalid request: {summary}", details)


Handler = Callable[[ApiCall], tuple[int, Any]]
AsyncHandler = Callable[[ApiCall], Awaitable[tuple[int, Any]]]


@dataclass(frozen=True)
class Operation:
    """One API operation, declared once: routing and the OpenAPI document read it."""

    method: str
    path: str
    handler: Handler | AsyncHandler
    summary: str
    response: type[BaseModel] | None
    status: int = 200
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    errors: tuple[int, ...] = field(default=(401, 422))
    authenticated: bool = True
    ingest: bool = False  # an ingest key may call it (else admin keys only)

    async def endpoint(self, request: Request) -> Response:
        _refuse_nul(request)
        call = ApiCall(
            request.app.state.runtime,
            request.headers,
            request.query_params,
            request.path_params,
            await request.body(),
        )
        if self._is_async:
            status, payload = await self._run_on_loop(call)
        else:
            status, payload = await run_in_threadpool(self._run, call)
        if payload is None:
            return Response(status_code=status)
        return Response(orjson.dumps(payload), status, media_type="application/json")

    @cached_property
    def _is_async(self) -> bool:  # asked once, not on every request
        return inspect.iscoroutinefunction(self.handler)

    def _run(self, call: ApiCall) -> tuple[int, Any]:
        if self.authenticated:
            _admit(call, self.ingest)
        return cast(Handler, self.handler)(call)

    async def _run_on_loop(self, call: ApiCall) -> tuple[int, Any]:
        if self.authenticated and call.runtime.is_local:
            _admit(call, self.ingest)
        elif self.authenticated:
            await run_in_threadpool(_admit, call, self.ingest)
        return await cast(AsyncHandler, self.handler)(call)


def _admit(call: ApiCall, ingest: bool) -> None:
    """The key may call this operation, and has not gone over its request rate."""
    caller = call.caller()
    if caller.scope is KeyScope.INGEST and not ingest:
        raise Forbidden("this is an ingest key: it sends events and reads their decisions only")
    wait = call.runtime.key_limits.wait_for(str(caller.key_id))
    if wait > 0:
        raise TooManyRequests(
            "this API key is over its request rate", retry_after=retry_after_seconds(wait)
        )


def api_routes(operations: Sequence[Operation]) -> list[Route]:
    """One route per path, so that a method the path lacks gets a 405 whose `Allow` header
    lists every method the path has."""
    by_path: dict[str, dict[str, Operation]] = {}
    for operation in operations:
        by_path.setdefault(operation.path, {})[operation.method] = operation
    return [Route(path, _by_method(found), methods=list(found)) for path, found in by_path.items()]


def _by_method(operations: dict[str, Operation]) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        method = "GET" if request.method == "HEAD" else request.method
        return await operations[method].endpoint(request)

    return endpoint
