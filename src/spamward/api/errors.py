"""Every error the API answers, as `{"error": {"code", "message"}}`: mapped here only."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import orjson
import psycopg
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from spamward.errors import ServiceUnavailable, SpamwardError

log = logging.getLogger("spamward.api")

DATABASE_RETRY_AFTER_S = 5
_HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 413: "payload_too_large"}


def error_response(
    status: int,
    code: str,
    message: str,
    details: list[dict[str, Any]] | None = None,
    extra_headers: Mapping[str, str] | None = None,
) -> Response:
    body: dict[str, Any] = {"code": code, "message": message}
    if details:
        body["details"] = details
    headers = {"Cache-Control": "no-store", **(extra_headers or {})}
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    return Response(orjson.dumps({"error": body}), status, headers, media_type="application/json")


async def on_spamward_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, SpamwardError)
    if error.status >= 500:
        log.error("%s on %s: %s", error.code, request.url.path, error.message)
    return spamward_error_response(error)


def spamward_error_response(error: SpamwardError) -> Response:
    retry = {} if error.retry_after is None else {"Retry-After": str(error.retry_after)}
    return error_response(error.status, error.code, error.message, error.details, retry)


def database_down(error: BaseException) -> bool:
    """A lost or refused connection, or a server shutting down (PostgreSQL's SQLSTATE
    classes 08, 53, 57 and 58 are psycopg's OperationalError)."""
    if isinstance(error, DBAPIError):
        return error.connection_invalidated or database_down_driver(error.orig)
    return database_down_driver(error)


def database_down_driver(error: BaseException | None) -> bool:
    return isinstance(error, psycopg.OperationalError | psycopg.InterfaceError)


async def on_database_error(request: Request, error: Exception) -> Response:
    """The database went away (a restart, a network cut): a quick 503 rather than a 500;
    the pool drops the broken connections, so the next requests reconnect by themselves."""
    if not database_down(error):
        return await on_unexpected(request, error)
    log.warning("database unavailable on %s %s: %s", request.method, request.url.path,
                type(error).__name__)  # fmt: skip
    unavailable = ServiceUnavailable(
        "the database is unavailable; retry shortly", retry_after=DATABASE_RETRY_AFTER_S
    )
    return spamward_error_response(unavailable)


async def on_http_exception(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    code = _HTTP_CODES.get(error.status_code, "http_error")
    return error_response(error.status_code, code, str(error.detail), None, error.headers)


async def on_unexpected(request: Request, error: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return error_response(500, "internal_error", "internal error; it has been logged")
