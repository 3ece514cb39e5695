"""`spamward policy ...`: policies as YAML files that can live in git.

export, import, validate, publish, rollback, versions, backtest. A file that does not check
is refused with every problem listed (rule, field, line, column) and exit code 1.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
import yaml

from spamward.cli_support import guard, print_json, runtime_of
from spamward.policy.compiled import parse_document
from spamward.policy.document import PolicyDocument
from spamward.runtime import Runtime
from spamward.services import backtests, policies
from spamward.services.projects import find_project

WHO = "cli"

project_option = click.option(
    "--project", "project_name", required=True, help="The project whose policy this is."
)


@click.group()
def policy() -> None:
    """Rules as data: export, import, validate, publish, roll back and backtest policies."""


@policy.command("export")
@project_option
@click.option("--version", "number", type=int, help="A published version (default: the draft).")
@click.pass_context
def export(context: click.Context, project_name: str, number: int | None) -> None:
    """Print the draft (or a published version) as YAML."""
    runtime = runtime_of(context)
    project_id = _project_id(runtime, project_name)
    if number is None:
        document = guard(lambda: policies.draft(runtime, project_id))
    else:
        document = guard(lambda: policies.version(runtime, project_id, number))[1]
    click.echo(to_yaml(document), nl=False)


@policy.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@project_option
@click.option("--publish", "then_publish", is_flag=True, help="Publish it as a new version too.")
@click.option("--note", default="", help="A note for the published version.")
@click.pass_context
def import_(
    context: click.Context, file: Path, project_name: str, then_publish: bool, note: str
) -> None:
    """Replace the draft with a YAML file, checked in full first."""
    raw = read_yaml(file)
    runtime = runtime_of(context)
    project_id = _project_id(runtime, project_name)
    document = guard(lambda: policies.replace_draft(runtime, project_id, raw, WHO))
    click.echo(f"draft replaced: {len(document.rules)} rules")
    if then_publish:
        version = guard(lambda: policies.publish(runtime, project_id, WHO, note or file.name))
        click.echo(f"published version {version.number}")


@policy.command("validate")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_context
def validate(context: click.Context, file: Path) -> None:
    """Check a YAML policy file without storing it."""
    windows = tuple(context.obj.windows)
    document = guard(lambda: parse_document(read_yaml(file), windows))
    click.echo(f"{file}: valid, {len(document.rules)} rules")


@policy.command("publish")
@project_option
@click.option("--note", default="", help="What changed, for the version history.")
@click.pass_context
def publish(context: click.Context, project_name: str, note: str) -> None:
    """Publish the draft as a new version; decisions use it at once."""
    runtime = runtime_of(context)
    project_id = _project_id(runtime, project_name)
    version = guard(lambda: policies.publish(runtime, project_id, WHO, note))
    click.echo(f"published version {version.number}")


@policy.command("rollback")
@click.argument("number", type=int, metavar="VERSION")
@project_option
@click.pass_context
def rollback(context: click.Context, number: int, project_name: str) -> None:
    """Publish an earlier version again (as a new version) and make it the draft."""
    runtime = runtime_of(context)
    project_id = _project_id(runtime, project_name)
    version = guard(lambda: policies.rollback(runtime, project_id, number, WHO))
    click.echo(f"published version {version.number} (rollback to version {number})")


@policy.command("versions")
@project_option
@click.pass_context
def versions(context: click.Context, project_name: str) -> None:
    """List published versions, newest first; * marks the live one."""
    runtime = runtime_of(context)
    project_id = _project_id(runtime, project_name)
    for view in guard(lambda: policies.versions(runtime, project_id)):
        live = "*" if view.live else " "
        stamp = view.published_at.strftime("%Y-%m-%d %H:%M")
        click.echo(f"{live} {view.number:>4}  {stamp}  {view.published_by}  {view.note}")


@policy.command("backtest")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@project_option
@click.option("--days", type=click.IntRange(1, 365), default=14, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.pass_context
def backtest(
    context: click.Context, file: Path, project_name: str, days: int, as_json: bool
) -> None:
    """Replay a YAML policy over the project's recorded decisions of the last N days."""
    runtime = runtime_of(context)
    document = guard(lambda: parse_document(read_yaml(file), runtime.windows))
    project_id = _project_id(runtime, project_name)
    with _ProgressBar() as bar:
        report = guard(lambda: backtests.backtest(runtime, project_id, document, days, bar.show))
    if as_json:
        print_json(report)
    else:
        click.echo(describe_report(report))


def to_yaml(document: PolicyDocument) -> str:
    data = document.model_dump(mode="json", exclude_defaults=True)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=96)


def read_yaml(file: Path) -> Any:
    try:
        return yaml.safe_load(file.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise click.ClickException(f"{file} is not valid YAML: {error}") from None


def describe_report(report: dict[str, Any]) -> str:
    changed = report["changed"]
    lines = [
        f"{report['events']:,} decisions of the last {report['days']} days replayed; "
        f"{changed:,} {'verdict changes' if changed == 1 else 'verdicts change'}"
    ]

    for change in report["changes"]:
        lines.append(f"  {change['from']:>10} -> {change['to']:<10} {change['count']:>7,}")
        for example in change["examples"][:3]:
            # Spam text is hostile: JSON-escaped, so no control sequence reaches the terminal.
            lines.append(f"      e.g. {json.dumps(example['text'][:100])}")
    for title, key in (
        ("rule hits", "rule_hits"),
        ("shadow hits", "shadow_hits"),
        ("rule errors", "rule_errors"),
    ):
        if report[key]:
            counts = ", ".join(f"{rule} {count:,}" for rule, count in report[key].items())
            lines.append(f"{title}: {counts}")
    return "\n".join(lines)


def _project_id(runtime: Runtime, name: str) -> int:
    project = guard(lambda: find_project(runtime.database, name))
    return int(project.id)


class _ProgressBar:
    """click's progress bar on stderr, sized when the backtest knows how many events."""

    def __init__(self) -> None:
        self._bar: Any = None

    def __enter__(self) -> _ProgressBar:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.render_finish()

    def show(self, done: int, total: int) -> None:
        if self._bar is None:
            self._bar = click.progressbar(length=max(total, 1), label="replaying", file=sys.stderr)
        self._bar.update(done - self._bar.pos)
