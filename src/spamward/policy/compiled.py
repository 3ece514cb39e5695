"""A policy checked and compiled: what the engine runs. Nothing invalid gets this far."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from spamward.domain.verdict import Verdict
from spamward.policy.compiler import MAX_SOURCE_CHARS, Condition, compile_condition
from spamward.policy.context import DEFAULT_WINDOWS
from spamward.policy.document import Mode, PolicyDocument, RuleSpec
from spamward.policy.errors import ConditionError, PolicyInvalid
from spamward.policy.types import context_schema


@dataclass(frozen=True, slots=True)
class CompiledRule:
    spec: RuleSpec
    condition: Condition
    # Read for every rule of every decision, so kept flat rather than behind `spec`.
    name: str
    verdict: Verdict
    weight: float
    shadow: bool

    @classmethod
    def of(cls, spec: RuleSpec, condition: Condition) -> CompiledRule:
        shadow = spec.mode is Mode.SHADOW
        return cls(spec, condition, spec.name, spec.verdict, spec.weight, shadow)


@dataclass(frozen=True)
class Policy:
    version: int  # the published version; 0 for a draft or the built-in default
    document: PolicyDocument
    rules: tuple[CompiledRule, ...]  # active and shadow rules, in priority order
    thresholds: tuple[tuple[float, Verdict], ...]  # highest first
    reads: frozenset[str]  # every context field some rule reads
    windows: tuple[str, ...] = DEFAULT_WINDOWS  # the velocity windows it was checked against

    def reads_any(self, *prefixes: str) -> bool:
        return any(path.startswith(prefixes) for path in self.reads)

    def verdict_for(self, score: float) -> Verdict:
        for threshold, verdict in self.thresholds:
            if score >= threshold:
                return verdict
        return Verdict.ALLOW


def compile_policy(
    document: PolicyDocument, version: int = 0, windows: tuple[str, ...] = DEFAULT_WINDOWS
) -> Policy:
    """The runnable policy, or `PolicyInvalid` listing every condition that does not check
    against the context with these velocity windows."""
    schema = context_schema(windows)
    problems: list[dict[str, Any]] = []
    rules = []
    for spec in sorted(document.rules, key=lambda rule: (rule.priority, rule.name)):
        try:
            condition = compile_condition(spec.condition, schema)
        except ConditionError as error:
            problems.append(_condition_problem(spec.name, error))
            continue
        if spec.mode is not Mode.DISABLED:
            rules.append(CompiledRule.of(spec, condition))

    if problems:
        raise PolicyInvalid(problems)
    thresholds = sorted(
        ((score, verdict) for verdict, score in document.scoring.thresholds.items()),
        key=lambda item: (item[0], item[1].severity),
        reverse=True,
    )
    reads = frozenset(path for rule in rules for path in rule.condition.reads)
    return Policy(version, document, tuple(rules), tuple(thresholds), reads, windows)


def parse_document(raw: Any, windows: tuple[str, ...] = DEFAULT_WINDOWS) -> PolicyDocument:
    """A document from JSON or YAML data, checked in full; `PolicyInvalid` otherwise."""
    try:
        document = PolicyDocument.model_validate(raw)
    except ValidationError as error:
        problems = _shape_problems(raw, error) + _raw_condition_problems(raw, windows)
        raise PolicyInvalid(problems) from None
    compile_policy(document, windows=windows)
    return document


def check_rule(raw: Any, windows: tuple[str, ...] = DEFAULT_WINDOWS) -> RuleSpec:
    """One rule, checked in full (its condition compiled); `PolicyInvalid` otherwise."""
    try:
        spec = RuleSpec.model_validate(raw)
    except ValidationError as error:
        raise PolicyInvalid(_shape_problems({"rules": [raw]}, error, prefix=("rules", 0))) from None
    try:
        compile_condition(spec.condition, context_schema(windows))
    except ConditionError as error:
        raise PolicyInvalid([_condition_problem(spec.name, error)]) from None
    return spec


def _raw_condition_problems(raw: Any, windows: tuple[str, ...]) -> list[dict[str, Any]]:
    """The condition problems of a document whose shape is wrong too: all listed at once."""
    rules = raw.get("rules") if isinstance(raw, dict) else None
    problems = []
    for index, rule in enumerate(rules if isinstance(rules, list) else []):
        condition = rule.get("condition") if isinstance(rule, dict) else None
        if not isinstance(condition, str) or len(condition) > MAX_SOURCE_CHARS:
            continue  # the shape check reports these
        try:
            compile_condition(condition, context_schema(windows))
        except ConditionError as error:
            name = rule.get("name")
            problems.append(
                _condition_problem(name if isinstance(name, str) else f"#{index + 1}", error)
            )
    return problems


def _condition_problem(rule: str, error: ConditionError) -> dict[str, Any]:
    return {
        "rule": rule,
        "field": "condition",
        "line": error.line,
        "column": error.column,
        "message": error.message,
    }


def _shape_problems(
    raw: Any, error: ValidationError, prefix: tuple[Any, ...] = ()
) -> list[dict[str, Any]]:
    problems = []
    for problem in error.errors(include_url=False, include_input=False, include_context=False):
        location = (*prefix, *problem["loc"])
        rule, rest = _rule_of(raw, location)
        problems.append(
            {"rule": rule, "field": ".".join(map(str, rest)) or "rule", "message": problem["msg"]}
        )
    return problems


def _rule_of(raw: Any, location: tuple[Any, ...]) -> tuple[str | None, tuple[Any, ...]]:
    """The rule a problem is in (by name when it has one) and the field within it."""
    if len(location) < 2 or location[0] != "rules" or not isinstance(location[1], int):
        return None, location
    rules = raw.get("rules") if isinstance(raw, dict) else None
    index = location[1]
    entry = rules[index] if isinstance(rules, list) and index < len(rules) else None
    name = entry.get("name") if isinstance(entry, dict) else None
    return (name if isinstance(name, str) else f"#{index + 1}"), location[2:]
