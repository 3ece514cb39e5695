"""Where log lines go and how they read: text for a console, one JSON object a line for
production. Lines logged while a decision is handled carry its project and, once known,
its decision id (context variables: each request thread has its own).

Nothing here logs request headers, bodies or settings; secrets stay out of the logs because
nothing puts them in (tests/test_json_logs.py checks the paths that handle them).
"""

from __future__ import annotations

import logging
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, TextIO

import orjson
from uvicorn.config import LOGGING_CONFIG

from spamward.settings import Settings

PROJECT: ContextVar[int | None] = ContextVar("spamward_project", default=None)
DECISION_ID: ContextVar[str | None] = ContextVar("spamward_decision_id", default=None)
_CONTEXT = (("project", PROJECT), ("decision_id", DECISION_ID))
# Attributes every LogRecord has (anything else was passed as `extra=`), and uvicorn's
# `color_message`, the message again with terminal colour codes.
_NOT_FIELDS = {*logging.makeLogRecord({}).__dict__, "message", "asctime", "taskName",
               "color_message"}  # fmt: skip


class DecisionContext(logging.Filter):
    """Stamps the decision's project and id on a record, in the thread that logs it."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, variable in _CONTEXT:
            value = variable.get()
            if value is not None and not hasattr(record, name):
                setattr(record, name, value)
        return True


class JsonFormatter(logging.Formatter):
    """`ts`, `level`, `logger`, `message`, then the context and the `extra=` fields."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": _timestamp(record.created),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **_fields(record),
        }
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return orjson.dumps(line, default=str).decode()


class TextFormatter(logging.Formatter):
    """`LEVEL:logger:message`, then the context and the `extra=` fields as key=value."""

    def __init__(self) -> None:
        super().__init__(logging.BASIC_FORMAT)

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802  (logging's name)
        pairs = " ".join(f"{key}={value}" for key, value in _fields(record).items())
        line = super().formatMessage(record)
        return f"{line} {pairs}" if pairs else line


class SpamwardHandler(logging.StreamHandler[TextIO]):
    """Writes to the standard error of the moment (daemons and test capture swap it)."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


def log_handler(log_format: str) -> logging.Handler:
    handler = SpamwardHandler()
    handler.addFilter(DecisionContext())
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    return handler


def configure_logging(settings: Settings) -> None:
    """Our one handler on the root logger (replacing one an earlier call put there)."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, SpamwardHandler)]:
        root.removeHandler(handler)
    root.addHandler(log_handler(settings.log_format))
    root.setLevel(settings.log_level.upper())


def uvicorn_log_config(settings: Settings) -> dict[str, Any] | None:
    """uvicorn's own logging setup for text; none for JSON, so that its lines reach the
    root logger's JSON handler like ours."""
    return None if settings.log_format == "json" else LOGGING_CONFIG


def _fields(record: logging.LogRecord) -> dict[str, Any]:
    return {key: value for key, value in record.__dict__.items() if key not in _NOT_FIELDS}


def _timestamp(created: float) -> str:
    return datetime.fromtimestamp(created, UTC).isoformat(timespec="milliseconds")[:-6] + "Z"
