"""Errors of rule checking: each points at the rule, the field and the position."""

from __future__ import annotations

from typing import Any

from spamward.errors import ValidationFailed


class ConditionError(Exception):
    """A condition that does not check; line and column are 1-based, in characters."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(f"line {line}, column {column}: {message}")
        self.message = message
        self.line = line
        self.column = column


class PolicyInvalid(ValidationFailed):
    """A policy or rule that may not be saved; `details` lists every problem found."""

    code = "invalid_policy"

    def __init__(self, problems: list[dict[str, Any]]) -> None:
        first = problems[0]
        where = f"rule {first['rule']!r}: " if first.get("rule") else ""
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(f"{where}{first['field']}: {first['message']}{more}", problems)
