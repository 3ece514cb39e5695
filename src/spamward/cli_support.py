"""What every `spamward` command shares: settings into a runtime, errors into messages."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import click
import orjson

from spamward.errors import SpamwardError
from spamward.runtime import Runtime, build_runtime
from spamward.settings import Settings


def guard(action: Callable[[], Any]) -> Any:
    """Run an action; a spamward error becomes `Error: ...` on stderr and exit code 1."""
    try:
        return action()
    except SpamwardError as error:
        for detail in error.details or []:
            click.echo(f"  {_detail(detail)}", err=True)
        raise click.ClickException(error.message) from None


def runtime_of(context: click.Context) -> Runtime:
    settings: Settings = context.obj
    return build_runtime(settings)


def print_json(value: Any) -> None:
    sys.stdout.write(orjson.dumps(value).decode() + "\n")


def _detail(detail: dict[str, Any]) -> str:
    where = [f"rule {detail['rule']!r}"] if detail.get("rule") else []
    where += [str(detail.get("field", ""))]
    if "line" in detail:
        where.append(f"line {detail['line']}, column {detail['column']}")
    return f"{' '.join(part for part in where if part)}: {detail.get('message', '')}"
