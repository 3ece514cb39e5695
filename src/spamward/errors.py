"""The exception tree. Each class carries its HTTP status and a stable error code;
the API maps them to `{"error": {"code", "message"}}` in one place (api/errors.py).
"""

from __future__ import annotations

from typing import Any


class SpamwardError(Exception):
    status = 500
    code = "internal_error"

    def __init__(
        self,
        message: str,
        details: list[dict[str, Any]] | None = None,
        retry_after: int | None = None,  # seconds, for a 429 or a 503
    ) -> None:
        super().__init__(message)
        self.message = message
        self.details = details
        self.retry_after = retry_after


class ConfigError(SpamwardError):
    code = "config_error"


class BadRequest(SpamwardError):
    status = 400
    code = "bad_request"


class InvalidJson(BadRequest):
    code = "invalid_json"


class InvalidEncoding(BadRequest):
    code = "invalid_encoding"


class Unauthorized(SpamwardError):
    status = 401
    code = "unauthorized"


class Forbidden(SpamwardError):
    status = 403
    code = "forbidden"


class NotFound(SpamwardError):
    status = 404
    code = "not_found"


class MethodNotAllowed(SpamwardError):
    status = 405
    code = "method_not_allowed"


class Conflict(SpamwardError):
    status = 409
    code = "conflict"


class PayloadTooLarge(SpamwardError):
    status = 413
    code = "payload_too_large"


class UnsupportedMediaType(SpamwardError):
    status = 415
    code = "unsupported_media_type"


class ValidationFailed(SpamwardError):
    status = 422
    code = "validation_error"


class TooManyRequests(SpamwardError):
    status = 429
    code = "too_many_requests"


class ServiceUnavailable(SpamwardError):
    status = 503
    code = "unavailable"


class Overloaded(ServiceUnavailable):
    code = "overloaded"
