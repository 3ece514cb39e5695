"""Conditions: a small Python-like expression language, checked and compiled when saved.

`compile_condition(source)` parses with `ast.parse(mode="eval")`, checks every node against
a whitelist and the declared context (policy/types.py), and builds nested closures that
only index dicts. Nothing is ever passed to `eval`; there is no attribute access at run
time (a dotted name is a checked key), no call but the declared functions, and loops only
over input lists. docs/rules.md is the user's guide.
"""

from __future__ import annotations

import ast
import difflib
import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from spamward.policy import functions
from spamward.policy.errors import ConditionError
from spamward.policy.parsing import parse
from spamward.policy.types import (
    BOOL,
    CONTEXT,
    NULL,
    NUMBER,
    STRING,
    Env,
    Fn,
    ListOf,
    Record,
    Scalar,
    Schema,
    Type,
    Typed,
)

MAX_SOURCE_CHARS = 2000
MAX_NODES = 200
_CONSTANT_NAMES: dict[str, tuple[Type, Any]] = {
    "true": (BOOL, True),
    "false": (BOOL, False),
    "null": (NULL, None),
}


@dataclass(frozen=True, slots=True)
class Condition:
    source: str
    test: Callable[[Env], bool]
    reads: frozenset[str]  # context fields read, e.g. {"entities.list", "actor.status"}
    explainers: tuple[Callable[[Env], list[str]], ...]  # which entities made it true


def compile_condition(source: str, schema: Schema = CONTEXT) -> Condition:
    """The condition as a closure, or `ConditionError` pointing at line and column."""
    if len(source) > MAX_SOURCE_CHARS:
        raise ConditionError(f"longer than {MAX_SOURCE_CHARS} characters", 1, 1)
    tree = parse(source)
    nodes = sum(1 for _ in ast.walk(tree))
    if nodes > MAX_NODES:
        raise ConditionError(f"too complex: {nodes} syntax nodes, at most {MAX_NODES}", 1, 1)
    compiler = Compiler(source.splitlines() or [""], schema)
    result = compiler.node(tree.body)
    if result.type != BOOL:
        raise compiler.error(tree.body, f"a condition must be true or false, not {result.type}")
    return Condition(source, result.fn, frozenset(compiler.reads), tuple(compiler.explainers))


@dataclass
class Compiler:
    lines: list[str]
    schema: Schema
    scope: dict[str, Typed] = field(default_factory=dict)  # loop variables
    reads: set[str] = field(default_factory=set)
    explainers: list[Callable[[Env], list[str]]] = field(default_factory=list)

    def error(
        self, node: ast.AST, message: str, byte_offset: int | None = None, line: int | None = None
    ) -> ConditionError:
        line = line or int(getattr(node, "lineno", 1))
        if byte_offset is None:
            byte_offset = getattr(node, "col_offset", 0)
        text = self.lines[line - 1] if line <= len(self.lines) else ""
        column = len(text.encode()[:byte_offset].decode(errors="ignore")) + 1
        return ConditionError(message, line, column)

    def field_position(self, node: ast.Attribute) -> dict[str, int]:
        """Where the field's name starts: after the last dot before its end, which may be
        on a later line than the record, and written in letters Python normalises."""
        line = node.end_lineno or node.lineno
        encoded = self.lines[line - 1].encode() if line <= len(self.lines) else b""
        start = encoded.rfind(b".", 0, node.end_col_offset) + 1
        while start < len(encoded) and encoded[start : start + 1].isspace():
            start += 1
        return {"byte_offset": start, "line": line}

    def node(self, node: ast.expr) -> Typed:
        handler = _HANDLERS.get(type(node))
        if handler is None:
            raise self.error(node, f"{_describe(node)} is not allowed in a condition")
        return handler(self, node)

    def expect(self, node: ast.expr, expected: Type, role: str) -> Typed:
        typed = self.node(node)
        if typed.type != expected:
            raise self.error(node, f"{role} must be {expected}, not {typed.type}")
        return typed

    def constant(self, node: ast.Constant) -> Typed:
        value = node.value
        if isinstance(value, bool):
            return Typed(BOOL, lambda env: value)
        if isinstance(value, int | float):
            return Typed(NUMBER, lambda env: value)
        if isinstance(value, str):
            return Typed(STRING, lambda env: value)
        if value is None:
            return Typed(NULL, lambda env: None)
        raise self.error(node, f"{type(value).__name__} values are not allowed")

    def name(self, node: ast.Name) -> Typed:
        ident = node.id
        if ident in _CONSTANT_NAMES:
            kind, value = _CONSTANT_NAMES[ident]
            return Typed(kind, lambda env: value)
        if ident in self.scope:
            return self.scope[ident]
        if ident in self.schema:
            self.reads.add(ident)
            return Typed(self.schema[ident], lambda env: env[ident], ident)
        known = [*self.schema, *self.scope]
        raise self.error(node, f"unknown name {ident!r}{_suggest(ident, known)}")

    def attribute(self, node: ast.Attribute) -> Typed:
        base = self.node(node.value)
        if not isinstance(base.type, Record):
            raise self.error(node, f"{base.type} has no fields (reading .{node.attr})")
        record, key = base.type, node.attr
        if key not in record.fields:
            known = sorted(record.fields)
            raise self.error(
                node,
                f"unknown field {key!r} on {record}{_suggest(key, known)}; "
                f"fields: {', '.join(known)}",
                **self.field_position(node),
            )
        path = f"{base.path}.{key}"
        self.reads.add(path)
        if isinstance(node.value, ast.Name):  # the common `actor.status`, `e.list`: one call
            name = node.value.id
            return Typed(record.fields[key], lambda env: env[name][key], path)
        get = base.fn
        return Typed(record.fields[key], lambda env: get(env)[key], path)

    def bool_op(self, node: ast.BoolOp) -> Typed:
        word = "and" if isinstance(node.op, ast.And) else "or"
        parts = [self.expect(v, BOOL, f"each side of '{word}'").fn for v in node.values]
        if len(parts) == 2:
            first, second = parts
            if isinstance(node.op, ast.And):
                return Typed(BOOL, lambda env: first(env) and second(env))
            return Typed(BOOL, lambda env: first(env) or second(env))
        if isinstance(node.op, ast.And):
            return Typed(BOOL, lambda env: all(part(env) for part in parts))
        return Typed(BOOL, lambda env: any(part(env) for part in parts))

    def unary(self, node: ast.UnaryOp) -> Typed:
        if isinstance(node.op, ast.Not):
            inner = self.expect(node.operand, BOOL, "the operand of 'not'").fn
            return Typed(BOOL, lambda env: not inner(env))
        if isinstance(node.op, ast.USub):
            number = self.expect(node.operand, NUMBER, "the operand of '-'").fn
            return Typed(NUMBER, lambda env: -number(env))
        raise self.error(node, f"{_describe(node.op)} is not allowed")

    def bin_op(self, node: ast.BinOp) -> Typed:
        op = _ARITHMETIC.get(type(node.op))
        if op is None:
            raise self.error(node, f"{_describe(node.op)} is not allowed")
        left = self.expect(node.left, NUMBER, "arithmetic").fn
        right = self.expect(node.right, NUMBER, "arithmetic").fn
        return Typed(NUMBER, lambda env: op(left(env), right(env)))

    def compare(self, node: ast.Compare) -> Typed:
        operands = [node.left, *node.comparators]
        tests = [self.comparison(op, operands[i], operands[i + 1]) for i, op in enumerate(node.ops)]
        if len(tests) == 1:
            return Typed(BOOL, tests[0])
        return Typed(BOOL, lambda env: all(test(env) for test in tests))

    def comparison(self, op: ast.cmpop, left_node: ast.expr, right_node: ast.expr) -> Fn:
        if isinstance(op, ast.In | ast.NotIn):
            test = self.membership(left_node, right_node)
            return test if isinstance(op, ast.In) else (lambda env: not test(env))
        left, right = self.node(left_node), self.node(right_node)
        if isinstance(op, ast.Eq | ast.NotEq):
            _check_comparable(self, left_node, left.type, right.type)
            return _equality(isinstance(op, ast.Eq), left.fn, right.fn, right_node)
        order = _ORDERING.get(type(op))
        if order is None:
            raise self.error(left_node, f"{_describe(op)} is not allowed")
        return _ordered(self, left_node, order, left, right, right_node)

    def membership(self, left_node: ast.expr, right_node: ast.expr) -> Fn:
        if isinstance(right_node, ast.List | ast.Tuple | ast.Set):
            item = self.node(left_node)
            values = self.literal_set(right_node, item.type)
            get = item.fn
            return lambda env: get(env) in values
        needle = self.expect(left_node, STRING, "the left side of 'in'").fn
        hay = self.expect(right_node, STRING, "the right side of 'in'").fn
        return lambda env: needle(env) in hay(env)

    def literal_set(self, node: ast.List | ast.Tuple | ast.Set, item: Type) -> frozenset[Any]:
        if not isinstance(item, Scalar) or item == NULL:
            raise self.error(node, f"cannot look up {item} in a list")
        values = []
        for element in node.elts:
            literal = _literal(element)
            if literal is None:
                raise self.error(element, "a list may hold only literal values")
            typed = self.constant(literal)
            if not isinstance(typed.type, Scalar) or typed.type.name != item.name:
                raise self.error(element, f"list item must be {item.name}, not {typed.type}")
            values.append(literal.value)
        return frozenset(values)

    def call(self, node: ast.Call) -> Typed:
        if not isinstance(node.func, ast.Name):
            raise self.error(node, "only the built-in functions may be called")
        if node.keywords:
            raise self.error(node, "functions take no keyword arguments")
        return functions.compile_call(self, node, node.func.id)

    def generator(self, node: ast.GeneratorExp) -> functions.Generator:
        if len(node.generators) != 1:
            raise self.error(node, "one 'for' per generator")
        loop = node.generators[0]
        if not isinstance(loop.target, ast.Name) or loop.is_async:
            raise self.error(loop.target, "loop over one plain name: 'for e in entities'")
        variable = loop.target.id
        if variable in self.scope or variable in self.schema or variable in _CONSTANT_NAMES:
            raise self.error(loop.target, f"the name {variable!r} is already taken")
        source = self.node(loop.iter)
        if not isinstance(source.type, ListOf):
            raise self.error(loop.iter, f"can only loop over a list, not {source.type}")
        self.scope[variable] = Typed(source.type.item, lambda env: env[variable], source.path)
        try:
            element = self.node(node.elt)
            filters = [self.expect(c, BOOL, "an 'if' filter").fn for c in loop.ifs]
        finally:
            del self.scope[variable]
        return functions.Generator(variable, source, element, tuple(filters))


def _literal(node: ast.expr) -> ast.Constant | None:
    """A literal list item: a constant, or a negative number."""
    if isinstance(node, ast.Constant):
        return node
    negative = isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub)
    if negative and isinstance(node.operand, ast.Constant):  # type: ignore[attr-defined]
        value = node.operand.value  # type: ignore[attr-defined]
        if isinstance(value, int | float) and not isinstance(value, bool):
            return ast.Constant(-value, lineno=node.lineno, col_offset=node.col_offset)
    return None


def _check_comparable(compiler: Compiler, node: ast.expr, left: Type, right: Type) -> None:
    if not isinstance(left, Scalar) or not isinstance(right, Scalar):
        raise compiler.error(node, f"cannot compare {left} with {right}")
    if NULL in (left, right):
        other = right if left == NULL else left
        if other.nullable:
            return
        raise compiler.error(node, f"{other} is never null")
    if left.name != right.name:
        raise compiler.error(node, f"cannot compare {left.name} with {right.name}")


def _equality(equal: bool, left: Fn, right: Fn, right_node: ast.expr) -> Fn:
    if isinstance(right_node, ast.Constant):  # `x == "deny"`: compare with the value itself
        value = right_node.value
        if equal:
            return lambda env: left(env) == value
        return lambda env: left(env) != value
    if equal:
        return lambda env: left(env) == right(env)
    return lambda env: left(env) != right(env)


def _ordered(
    compiler: Compiler,
    node: ast.expr,
    order: Callable[[Any, Any], bool],
    left: Typed,
    right: Typed,
    right_node: ast.expr,
) -> Fn:
    for side in (left, right):
        if not isinstance(side.type, Scalar) or side.type.name not in ("number", "string"):
            raise compiler.error(node, f"cannot order {side.type}")
    assert isinstance(left.type, Scalar) and isinstance(right.type, Scalar)  # checked above
    if left.type.name != right.type.name:
        raise compiler.error(node, f"cannot compare {left.type} with {right.type}")
    get_left, get_right = left.fn, right.fn
    if left.type.nullable or right.type.nullable:

        def unknown_is_false(env: Env) -> bool:
            a, b = get_left(env), get_right(env)
            return a is not None and b is not None and order(a, b)

        return unknown_is_false
    if isinstance(right_node, ast.Constant):
        value = right_node.value
        return lambda env: order(get_left(env), value)
    return lambda env: order(get_left(env), get_right(env))


def _suggest(word: str, known: list[str]) -> str:
    close = difflib.get_close_matches(word, known, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _describe(node: ast.AST) -> str:
    names = {
        "Subscript": "indexing with [...]",
        "Lambda": "lambda",
        "NamedExpr": "':='",
        "IfExp": "'x if c else y'",
        "JoinedStr": "an f-string",
        "Dict": "a dict",
        "ListComp": "a list comprehension",
        "Starred": "'*'",
        "Await": "await",
    }
    kind = type(node).__name__
    return names.get(kind, f"'{kind}'")


_ARITHMETIC: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Mod: operator.mod,
}

_ORDERING: dict[type[ast.cmpop], Callable[[Any, Any], bool]] = {
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
}
_HANDLERS: dict[type[ast.AST], Callable[[Compiler, Any], Typed]] = {
    ast.Constant: Compiler.constant,
    ast.Name: Compiler.name,
    ast.Attribute: Compiler.attribute,
    ast.BoolOp: Compiler.bool_op,
    ast.UnaryOp: Compiler.unary,
    ast.BinOp: Compiler.bin_op,
    ast.Compare: Compiler.compare,
    ast.Call: Compiler.call,
}
