"""The functions a condition may call, declared in one place and checked like the rest.

Aggregates take one generator (`any(e.list == "deny" for e in entities)`); the others take
plain arguments. `matches` takes a literal RE2 pattern, compiled when the rule is saved, so
matching is linear in the text whatever the pattern.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import re2

from spamward.policy.types import BOOL, NUMBER, STRING, Env, Fn, ListOf, Typed

if TYPE_CHECKING:
    from spamward.policy.compiler import Compiler


@dataclass(frozen=True, slots=True)
class Generator:
    variable: str
    source: Typed
    element: Typed
    filters: tuple[Fn, ...]

    def loop(self) -> Callable[[Env], list[Any]]:
        """The elements of the items that pass the filters, the loop variable bound."""
        variable, items, element, passes = _parts(self)

        def elements(env: Env) -> list[Any]:
            found = []
            for item in items(env):
                env[variable] = item
                if passes(env):
                    found.append(element(env))
            return found

        return elements

    def passes(self) -> Fn:
        filters = self.filters
        if not filters:
            return lambda env: True
        if len(filters) == 1:
            return filters[0]
        return lambda env: all(test(env) for test in filters)


def compile_call(compiler: Compiler, node: ast.Call, name: str) -> Typed:
    if name in _AGGREGATES:
        return _aggregate(compiler, node, name)
    builder = _PLAIN.get(name)
    if builder is None:
        known = ", ".join(sorted([*_AGGREGATES, *_PLAIN]))
        raise compiler.error(node, f"unknown function {name!r}; functions: {known}")
    return builder(compiler, node)


def _aggregate(compiler: Compiler, node: ast.Call, name: str) -> Typed:
    element_type = BOOL if name in ("any", "all", "count") else NUMBER
    if len(node.args) != 1 or not isinstance(node.args[0], ast.GeneratorExp):
        raise compiler.error(node, f"{name}() takes one generator: {name}(... for e in entities)")
    generator = compiler.generator(node.args[0])
    if generator.element.type != element_type:
        raise compiler.error(
            node.args[0].elt, f"{name}() needs {element_type} items, not {generator.element.type}"
        )
    if name in ("any", "all", "count") and generator.source.path == "entities":
        compiler.explainers.append(_explainer(generator))
    return _AGGREGATES[name](generator)


def _any(generator: Generator) -> Typed:
    variable, items, element, passes = _parts(generator)

    def any_item(env: Env) -> bool:
        for item in items(env):
            env[variable] = item
            if passes(env) and element(env):
                return True
        return False

    return Typed(BOOL, any_item)


def _all(generator: Generator) -> Typed:
    variable, items, element, passes = _parts(generator)

    def every_item(env: Env) -> bool:
        for item in items(env):
            env[variable] = item
            if passes(env) and not element(env):
                return False
        return True

    return Typed(BOOL, every_item)


def _count(generator: Generator) -> Typed:
    elements = generator.loop()
    return Typed(NUMBER, lambda env: sum(1 for hit in elements(env) if hit))


def _sum(generator: Generator) -> Typed:
    elements = generator.loop()
    return Typed(NUMBER, lambda env: sum(elements(env)))


def _max(generator: Generator) -> Typed:
    elements = generator.loop()
    return Typed(NUMBER, lambda env: max(elements(env), default=0))


def _min(generator: Generator) -> Typed:
    elements = generator.loop()
    return Typed(NUMBER, lambda env: min(elements(env), default=0))


def _parts(generator: Generator) -> tuple[str, Fn, Fn, Fn]:
    return generator.variable, generator.source.fn, generator.element.fn, generator.passes()


def _explainer(generator: Generator) -> Callable[[Env], list[str]]:
    variable, items, element, passes = _parts(generator)

    def matching(env: Env) -> list[str]:
        found = []
        for item in items(env):
            env[variable] = item
            if passes(env) and element(env):
                found.append(f"{item['kind']} {item['display']}")
        return found

    return matching


def _arguments(compiler: Compiler, node: ast.Call, name: str, count: int) -> list[ast.expr]:
    if len(node.args) != count:
        plural = "s" if count > 1 else ""
        raise compiler.error(node, f"{name}() takes {count} argument{plural}")
    return node.args


def _len(compiler: Compiler, node: ast.Call) -> Typed:
    (arg,) = _arguments(compiler, node, "len", 1)
    typed = compiler.node(arg)
    if typed.type != STRING and not isinstance(typed.type, ListOf):
        raise compiler.error(arg, f"len() needs a string or a list, not {typed.type}")
    get = typed.fn
    return Typed(NUMBER, lambda env: len(get(env)))


def _lower(compiler: Compiler, node: ast.Call) -> Typed:
    (arg,) = _arguments(compiler, node, "lower", 1)
    get = compiler.expect(arg, STRING, "the argument of lower()").fn
    return Typed(STRING, lambda env: get(env).lower())


def _affix(method: str) -> Callable[[Compiler, ast.Call], Typed]:
    def build(compiler: Compiler, node: ast.Call) -> Typed:
        text_node, affix_node = _arguments(compiler, node, method, 2)
        text = compiler.expect(text_node, STRING, f"the first argument of {method}()").fn
        affix = compiler.expect(affix_node, STRING, f"the second argument of {method}()").fn
        test = getattr(str, method)
        return Typed(BOOL, lambda env: test(text(env), affix(env)))

    return build


def _matches(compiler: Compiler, node: ast.Call) -> Typed:
    text_node, pattern_node = _arguments(compiler, node, "matches", 2)
    text = compiler.expect(text_node, STRING, "the first argument of matches()").fn
    if not isinstance(pattern_node, ast.Constant) or not isinstance(pattern_node.value, str):
        raise compiler.error(pattern_node, "matches() needs a literal pattern string")
    try:
        pattern = re2.compile(pattern_node.value, options=_QUIET)
    except re2.error as error:
        reason = error.args[0].decode() if isinstance(error.args[0], bytes) else error
        raise compiler.error(pattern_node, f"invalid pattern: {reason}") from None
    search = pattern.search
    return Typed(BOOL, lambda env: search(text(env)) is not None)


_QUIET = re2.Options()
_QUIET.log_errors = False

_AGGREGATES: dict[str, Callable[[Generator], Typed]] = {
    "any": _any,
    "all": _all,
    "count": _count,
    "sum": _sum,
    "max": _max,
    "min": _min,
}
_PLAIN: dict[str, Callable[[Compiler, ast.Call], Typed]] = {
    "len": _len,
    "lower": _lower,
    "startswith": _affix("startswith"),
    "endswith": _affix("endswith"),
    "matches": _matches,
}
