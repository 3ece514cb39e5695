"""Parsing a condition, with syntax errors placed on the condition's own lines.

The source is parsed inside parentheses, so a condition may span lines and be indented as
YAML blocks are; Python's positions are mapped back, and when Python blames a parenthesis
we added, the source's own unclosed or unmatched bracket is found instead.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize

from spamward.policy.errors import ConditionError


def parse(source: str) -> ast.Expression:
    """Parsed inside parentheses, so a condition may span lines and be indented (YAML);
    positions are mapped back to the source's own lines."""
    if not source.strip():
        raise ConditionError("the condition is empty", 1, 1)
    if "\x00" in source:  # Python versions disagree on how to refuse it
        before = source[: source.index("\x00")]
        line, column = before.count("\n") + 1, len(before) - before.rfind("\n")
        raise ConditionError(
            "syntax error: a condition cannot contain NUL characters", line, column
        )

    try:
        tree = ast.parse(f"(\n{source}\n)", mode="eval")
    except SyntaxError as error:
        raise _syntax_error(source, error) from None
    except (ValueError, MemoryError, RecursionError) as error:
        raise ConditionError(f"cannot parse: {type(error).__name__}", 1, 1) from None
    for node in ast.walk(tree):
        if isinstance(node, ast.expr):  # a node opened by our parenthesis keeps line 1
            node.lineno = max(node.lineno - 1, 1)
            node.end_lineno = max((node.end_lineno or 2) - 1, 1)
    if isinstance(tree.body, ast.Tuple) and not tree.body.elts:
        raise ConditionError("the condition is empty", 1, 1)  # only comments
    return tree


def _syntax_error(source: str, wrapped: SyntaxError) -> ConditionError:
    """The error as the source's own lines show it. When Python blames a parenthesis we
    added, the source has an unclosed or an unmatched one of its own: find that one."""
    lines = source.splitlines() or [""]
    line = (wrapped.lineno or 2) - 1
    if 1 <= line <= len(lines):
        return _positioned(wrapped.msg, line, wrapped.offset)
    if line < 1:  # our "(" never closed: the source closed one too few
        try:
            ast.parse(f"(\n{source}", mode="eval")
        except SyntaxError as unclosed:
            if 1 <= (unclosed.lineno or 0) - 1 <= len(lines):
                return _positioned(unclosed.msg, (unclosed.lineno or 2) - 1, unclosed.offset)
    stray = _stray_closing(source)
    if stray is not None:
        return ConditionError(f"syntax error: unmatched {stray[0]!r}", stray[1], stray[2])
    return ConditionError(
        "syntax error: the condition ends too early", len(lines), len(lines[-1]) + 1
    )


def _stray_closing(source: str) -> tuple[str, int, int] | None:
    """The first closing bracket with no opening one before it, and where it is."""
    depth = 0
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.OP and token.string in "([{":
                depth += 1
            elif token.type == tokenize.OP and token.string in ")]}":
                depth -= 1
                if depth < 0:
                    return token.string, token.start[0], token.start[1] + 1
    except (tokenize.TokenError, SyntaxError):
        return None
    return None


def _positioned(message: str, line: int, offset: int | None) -> ConditionError:
    """Python's message, with the line numbers it quotes counted in the source's lines."""
    text = re.sub(r"line (\d+)", lambda m: f"line {int(m.group(1)) - 1}", message)
    return ConditionError(f"syntax error: {text}", line, max(offset or 1, 1))
