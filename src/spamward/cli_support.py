"""What every `spamward` command shares: settings into a runtime, errors into messages."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from typing import Any

import click
import orjson

from spamward.errors import SpamwardError
from spamward.runtime import Runtime, build_runtime
from spamward.settings import Settings


def guard(action: Callable[[], Any]) -> Any:
    """Run an action; a spamward error becomes `Error: ...` on stderr, then its details one
    per line, and exit code 1."""
    try:
        return action()
    except SpamwardError as error:
        click.echo(f"Error: {escaped(error.message)}", err=True)
        for detail in error.details or []:
            click.echo(f"  {escaped(_detail(detail))}", err=True)
        raise click.exceptions.Exit(1) from None


def escaped(text: str) -> str:
    """Control characters shown as escapes: messages quote input, which may be hostile."""
    return _CONTROL.sub(lambda match: f"\\x{ord(match.group()):02x}", text)


def runtime_of(context: click.Context) -> Runtime:
    settings: Settings = context.obj
    return build_runtime(settings)


def print_json(value: Any) -> None:
    sys.stdout.write(orjson.dumps(value).decode() + "\n")


_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")


def _detail(detail: dict[str, Any]) -> str:
    where = [f"rule {detail['rule']!r}"] if detail.get("rule") else []
    where += [str(detail.get("field", ""))]
    if "line" in detail:
        where.append(f"line {detail['line']}, column {detail['column']}")
    return f"{' '.join(part for part in where if part)}: {detail.get('message', '')}"
