"""The `spamward` command: serve, migrate, manage projects/keys/moderators, judge text.

`check` and `extract` are the stable interface for scripted evaluation; their JSON output
is documented in docs/cli.md. Errors print `Error: ...` on stderr and exit 1.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

import click

from spamward.api.openapi import build_openapi
from spamward.api.reference import reference_markdown
from spamward.api.routes import OPERATIONS
from spamward.cli_keys import key
from spamward.cli_model import evaluate, score, train
from spamward.cli_policy import policy
from spamward.cli_support import guard, print_json, runtime_of
from spamward.demo.setup import ensure_demo
from spamward.domain.entity import Entity, EntityKind
from spamward.domain.event import Actor, Content, Event, EventType
from spamward.server import run_workers, scaled_mode_problem
from spamward.server import serve as run_server
from spamward.services.decisions import judge
from spamward.services.moderators import Role, create_moderator, set_password
from spamward.services.projects import create_project
from spamward.services.retention import run_retention
from spamward.settings import Settings, load_settings
from spamward.storage.migrate import upgrade
from spamward.text.extract import find_occurrences

ROLES = [role.value for role in Role]
EVENT_TYPES = [event_type.value for event_type in EventType]
EXTRACT_KINDS = (EntityKind.DOMAIN, EntityKind.URL, EntityKind.EMAIL, EntityKind.PHONE)


@click.group()
@click.option("--config", type=click.Path(path_type=Path), help="TOML settings file.")
@click.pass_context
def main(context: click.Context, config: Path | None) -> None:
    """spamward: self-hosted anti-spam decisions and Spam Manager."""
    context.obj = guard(lambda: load_settings(config))


def _region(context: click.Context, parameter: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    if not re.fullmatch(r"[A-Za-z]{2}", value):
        raise click.BadParameter("a two-letter region code such as US or GB")
    return value.upper()


@main.command()
@click.option("--host", help="Address to listen on (default from settings).")
@click.option("--port", type=int, help="Port to listen on (default from settings).")
@click.option(
    "--workers", type=click.IntRange(1, 64), default=1, show_default=True,
    help="API processes on the port (more than 1: PostgreSQL and Redis).",
)  # fmt: skip
@click.pass_context
def serve(context: click.Context, host: str | None, port: int | None, workers: int) -> None:
    """Serve the API and the dashboard."""

    settings: Settings = context.obj
    problem = scaled_mode_problem(settings, workers)
    if problem is not None:
        raise click.UsageError(problem, ctx=context)
    config: Path | None = context.find_root().params.get("config")
    run_server(settings, host or settings.host, port or settings.port, workers, config)


@main.command()
@click.option(
    "--concurrency", type=click.IntRange(1, 64), default=2, show_default=True,
    help="Action worker threads in this process.",
)  # fmt: skip
@click.pass_context
def worker(context: click.Context, concurrency: int) -> None:
    """Run action workers (and the maintenance job) until stopped."""
    run_workers(context.obj, concurrency)


@main.command()
@click.pass_context
def migrate(context: click.Context) -> None:
    """Create or upgrade the database schema."""

    runtime = runtime_of(context)
    guard(lambda: upgrade(runtime.database))
    click.echo(f"database is up to date ({runtime.settings.database_url.split('://')[0]})")


@main.group()
def project() -> None:
    """Manage projects (one per site)."""


@project.command("create")
@click.argument("name")
@click.pass_context
def project_create(context: click.Context, name: str) -> None:
    """Create a project."""

    created = guard(lambda: create_project(runtime_of(context).database, name))
    click.echo(f"created project {created.name} (id {created.id})")


@main.group()
def moderator() -> None:
    """Manage dashboard accounts."""


@moderator.command("create")
@click.argument("email")
@click.option("--project", "project_name", required=True, help="Project to grant access to.")
@click.option(
    "--role",
    type=click.Choice(["admin", "moderator", "viewer"]),
    default="moderator",
    show_default=True,
)
@click.password_option(
    help="Password (prompted when not given; or SPAMWARD_PASSWORD).", envvar="SPAMWARD_PASSWORD"
)
@click.pass_context
def moderator_create(
    context: click.Context, email: str, project_name: str, role: str, password: str
) -> None:
    """Create a moderator login with a role on a project."""

    if len(password) < 8:
        raise click.ClickException("the password needs at least 8 characters")
    runtime = runtime_of(context)
    created = guard(
        lambda: create_moderator(runtime.database, email, password, project_name, Role(role))
    )
    click.echo(f"created moderator {created.email} ({role} on {project_name})")


@moderator.command("password")
@click.argument("email")
@click.password_option(
    help="New password (prompted when not given; or SPAMWARD_PASSWORD).",
    envvar="SPAMWARD_PASSWORD",
)
@click.pass_context
def moderator_password(context: click.Context, email: str, password: str) -> None:
    """Set a moderator's password; their sessions end everywhere."""
    if len(password) < 8:
        raise click.ClickException("the password needs at least 8 characters")
    guard(lambda: set_password(runtime_of(context).database, email, password))
    click.echo(f"new password set for {email}; their sessions have ended")


@main.command()
@click.argument("text", required=False)
@click.option("--project", "project_name", help="Judge against this project's lists.")
@click.option(
    "--type",
    "event_type",
    type=click.Choice([t.value for t in EventType]),
    default="post",
    show_default=True,
)
@click.option("--region", callback=_region, help="Region of national phone numbers, e.g. US.")
@click.pass_context
def check(
    context: click.Context,
    text: str | None,
    project_name: str | None,
    event_type: str,
    region: str | None,
) -> None:
    """Judge TEXT (or stdin) and print the decision as JSON; nothing is stored."""

    content = Content(text if text is not None else sys.stdin.read())
    event = Event(EventType(event_type), Actor(), datetime.now(UTC), content, region=region)
    record = guard(lambda: judge(runtime_of(context), event, project_name))
    print_json(record.to_json())


@main.command()
@click.option("--region", callback=_region, help="Region of national phone numbers, e.g. US.")
@click.option("--lines", is_flag=True, help="One JSON object per input line.")
@click.option("--raw", is_flag=True, help="URLs, e-mails and phones exactly as written.")
@click.pass_context
def extract(context: click.Context, region: str | None, lines: bool, raw: bool) -> None:
    """Print the entities in stdin as {"domains", "urls", "emails", "phones"}."""
    settings: Settings = context.obj
    wanted_region = region or settings.default_region
    for chunk in _chunks(lines):
        print_json(_extraction(chunk, wanted_region, raw=raw))


def _extraction(text: str, region: str, *, raw: bool) -> dict[str, list[str]]:
    shown: dict[EntityKind, dict[str, None]] = {kind: {} for kind in EXTRACT_KINDS}
    for occurrence in find_occurrences(text, region):
        entity = occurrence.entity
        if entity.kind in shown:
            as_written = raw and entity.kind is not EntityKind.DOMAIN
            value = text[occurrence.start : occurrence.end] if as_written else _shown(entity)
            shown[entity.kind][value] = None
    return {kind.plural: list(values) for kind, values in shown.items()}


def _chunks(lines: bool) -> Iterator[str]:
    if not lines:
        yield sys.stdin.read()
        return
    for line in sys.stdin:
        yield line.rstrip("\n")


def _shown(entity: Entity) -> str:
    """Domains and URLs as shown (Unicode, no scheme); e-mails and phones canonical."""
    return entity.display if entity.kind in (EntityKind.DOMAIN, EntityKind.URL) else entity.value


@main.group()
def retention() -> None:
    """The retention job (the server also runs it in the background)."""


@retention.command("run")
@click.pass_context
def retention_run(context: click.Context) -> None:
    """Move every project's window on, purge old posts, drop expired ignores; print a report."""
    report = guard(lambda: run_retention(runtime_of(context)))
    print_json(asdict(report))


@main.command()
@click.pass_context
def demo(context: click.Context) -> None:
    """Set up the demo project, key, moderator and traffic (safe to run again)."""
    runtime = runtime_of(context)
    guard(lambda: upgrade(runtime.database))
    credentials = guard(lambda: ensure_demo(runtime))
    settings = runtime.settings
    click.echo(f"demo project : {credentials.project}")
    click.echo(f"API key      : {credentials.api_key}   (also in {settings.data_dir}/demo-api-key)")
    click.echo(f"dashboard    : {credentials.email} / {credentials.password}")
    if credentials.events_loaded:
        click.echo(f"demo traffic : {credentials.events_loaded} events judged and recorded")


@main.command()
@click.option("--markdown", is_flag=True, help="The API reference (docs/api-reference.md).")
def openapi(markdown: bool) -> None:
    """Print the OpenAPI document (JSON), or the API reference written from it."""
    if markdown:
        click.echo(reference_markdown(), nl=False)
    else:
        click.echo(json.dumps(build_openapi(OPERATIONS), indent=2))


main.add_command(key)
main.add_command(policy)
main.add_command(train)
main.add_command(evaluate)
main.add_command(score)
