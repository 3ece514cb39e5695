"""Every error the API answers, as `{"error": {"code", "message"}}`: mapped here only."""

from __future__ import annotations

import logging
from typing import Any

import orjson
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from spamward.errors import SpamwardError

log = logging.getLogger("spamward.api")

_HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 413: "payload_too_large"}


def error_response(
    status: int, code: str, message: str, details: list[dict[str, Any]] | None = None
) -> Response:
    body: dict[str, Any] = {"code": code, "message": message}
    if details:
        body["details"] = details
    headers = {"Cache-Control": "no-store"}
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    return Response(orjson.dumps({"error": body}), status, headers, media_type="application/json")


async def on_spamward_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, SpamwardError)
    if error.status >= 500:
        log.error("%s on %s: %s", error.code, request.url.path, error.message)
    return error_response(error.status, error.code, error.message, error.details)


async def on_http_exception(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    code = _HTTP_CODES.get(error.status_code, "http_error")
    return error_response(error.status_code, code, str(error.detail))


async def on_unexpected(request: Request, error: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return error_response(500, "internal_error", "internal error; it has been logged")
