"""A defined action's parameters as the dashboard form writes them: one `key=value` a
line. `kinds` takes a comma-separated list (domain,url); a number is a number (durations
take 7d, 12h, 30m or seconds), except `reason`, which is always text."""

from __future__ import annotations

from typing import Any

from spamward.errors import ValidationFailed

LIST_PARAMS = frozenset({"kinds"})
TEXT_PARAMS = frozenset({"reason"})
DURATION_PARAMS = frozenset({"duration"})
_UNITS = (("d", 86400), ("h", 3600), ("m", 60))


def parse(text: str) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        key, equals, value = line.partition("=")
        key, value = key.strip(), value.strip()
        if not equals or not key:
            problem = {"field": "params", "message": f"line {number}: write key=value"}
            raise ValidationFailed(f"parameters, line {number}: write key=value", [problem])
        params[key] = _value(key, value)
    return params


def _value(key: str, value: str) -> Any:
    if key in LIST_PARAMS:
        return [part.strip() for part in value.split(",") if part.strip()]
    if key not in TEXT_PARAMS and value.isascii() and value.isdigit() and len(value) <= 12:
        return int(value)
    return value


def lines(params: dict[str, Any]) -> str:
    """Parameters written back as the form takes them."""
    return "\n".join(f"{key}={written(value, key)}" for key, value in params.items())


def summary(params: dict[str, Any]) -> str:
    """Parameters on one line, to show: `duration=7d; channel=email`."""
    return "; ".join(f"{key}={written(value, key)}" for key, value in params.items())


def written(value: Any, key: str = "") -> str:
    if isinstance(value, list):
        return ",".join(str(item) for item in value)
    if key in DURATION_PARAMS and isinstance(value, int):
        return human_duration(value)
    return str(value)


def human_duration(seconds: int) -> str:
    """604800 → 7d, 5400 → 90m: as the catalog reads durations."""
    for unit, size in _UNITS:
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"
