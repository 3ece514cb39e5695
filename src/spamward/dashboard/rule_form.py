"""The rule edit form: a rule as form values, form values as the raw rule the policy
service checks, and each problem it finds placed next to its field."""

from __future__ import annotations

from typing import Any

import yaml

from spamward.policy.document import RuleSpec

FIELDS = ("name", "description", "condition", "verdict", "weight", "reason", "challenge",
          "retry_after_seconds", "effects", "mode", "priority")  # fmt: skip
TEXTS = ("name", "description", "condition", "verdict", "reason", "mode")
MAX_EFFECTS_TEXT = 20_000  # 20 effects, each a few parameters
OPTIONAL = ("weight", "priority", "retry_after_seconds", "challenge")  # blank: the default
NEW_RULE = {"name": "", "description": "", "condition": "", "verdict": "allow", "weight": "0",
            "reason": "", "challenge": "", "retry_after_seconds": "", "effects": "",
            "mode": "active", "priority": "100"}  # fmt: skip


def values_of(rule: RuleSpec) -> dict[str, str]:
    """A stored rule as the strings its form shows."""
    shown = rule.model_dump(mode="json")
    values = {name: "" if shown[name] is None else str(shown[name]) for name in FIELDS}
    values["effects"] = _effects_text(shown["effects"])
    return values


def _effects_text(effects: list[dict[str, Any]]) -> str:
    if not effects:
        return ""
    listed = [effect if effect["params"] else {"action": effect["action"]} for effect in effects]
    return yaml.safe_dump(listed, sort_keys=False, default_flow_style=False, allow_unicode=True)


def submitted(fields: dict[str, str]) -> dict[str, str]:
    """The form's values as typed, with the browser's CRLF line ends made LF."""
    return {name: fields.get(name, "").replace("\r\n", "\n") for name in FIELDS}


def raw_rule(values: dict[str, str]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The rule to check, and the problems found reading the form itself (effects that are
    not YAML or JSON). Numbers stay text: the rule's own check reports a bad one."""
    raw: dict[str, Any] = {name: values[name] for name in TEXTS}
    raw.update({name: values[name].strip() for name in OPTIONAL if values[name].strip()})
    effects, problems = _effects(values["effects"])
    raw["effects"] = effects
    return raw, problems


def _effects(text: str) -> tuple[list[Any], list[dict[str, Any]]]:
    if len(text) > MAX_EFFECTS_TEXT:
        return [], [{"field": "effects", "message": f"longer than {MAX_EFFECTS_TEXT} characters"}]
    try:
        parsed = yaml.safe_load(text) if text.strip() else []
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = {"line": mark.line + 1, "column": mark.column + 1} if mark else {}
        message = getattr(error, "problem", None) or "not YAML or JSON"
        return [], [{"field": "effects", "message": str(message), **where}]
    if not isinstance(parsed, list):
        return [], [{"field": "effects", "message": "a list of {action, params}, or nothing"}]
    return parsed, []


def placed(problems: list[dict[str, Any]], values: dict[str, str]) -> dict[str, list[Any]]:
    """Problems by the form field they belong to ('' for the rule as a whole), each once,
    with the line of the text it points at."""
    by_field: dict[str, list[dict[str, Any]]] = {}
    seen = set()
    for problem in problems:
        path = str(problem.get("field") or "")
        head = path.split(".", 1)[0]
        field = head if head in FIELDS else ""
        key = (path, problem.get("message"), problem.get("line"), problem.get("column"))
        if key not in seen:
            seen.add(key)
            by_field.setdefault(field, []).append(_shown(problem, path, values.get(field, "")))
    return by_field


def _shown(problem: dict[str, Any], path: str, text: str) -> dict[str, Any]:
    line, column = problem.get("line"), problem.get("column")
    where = f"line {line}, column {column}: " if line and column else ""
    inner = path.split(".", 1)[1] if "." in path else ""
    message = f"{where}{inner + ': ' if inner else ''}{problem.get('message', '')}"
    lines = text.split("\n")
    excerpt = lines[line - 1] if isinstance(line, int) and 0 < line <= len(lines) else None
    caret = " " * (column - 1) + "^" if excerpt is not None and isinstance(column, int) else None
    return {"message": message, "excerpt": excerpt, "caret": caret}
