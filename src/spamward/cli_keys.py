"""`spamward key`: create, list and revoke a project's API keys (rotating one is creating
the new key, deploying it, then revoking the old one)."""

from __future__ import annotations

import click

from spamward.cli_support import guard, runtime_of
from spamward.services import api_keys
from spamward.services.projects import KeyScope, create_api_key, find_project

WHO = "cli"
LISTED = 1000


@click.group()
def key() -> None:
    """Manage API keys."""


@key.command("create")
@click.argument("project_name", metavar="PROJECT")
@click.option("--name", default="default", show_default=True, help="A label for the key.")
@click.option(
    "--scope", type=click.Choice([scope.value for scope in KeyScope]), default="admin",
    show_default=True, help="ingest: send events and read their decisions only.",
)  # fmt: skip
@click.pass_context
def key_create(context: click.Context, project_name: str, name: str, scope: str) -> None:
    """Create an API key; it is printed once and stored hashed."""
    database = runtime_of(context).database
    new = guard(lambda: create_api_key(database, project_name, name, KeyScope(scope)))
    click.echo(new.token)
    click.echo(
        f"({scope} key {name!r} for project {new.project.name}: store it now, it is not shown "
        "again)",
        err=True,
    )


@key.command("list")
@click.argument("project_name", metavar="PROJECT")
@click.pass_context
def key_list(context: click.Context, project_name: str) -> None:
    """The project's keys: id, scope, prefix, name, and whether it is revoked."""
    runtime = runtime_of(context)
    project = guard(lambda: find_project(runtime.database, project_name))
    for view in api_keys.list_keys(runtime, project.id, LISTED, 0):
        state = f"revoked {view.revoked_at:%Y-%m-%d}" if view.revoked_at else "live"
        click.echo(f"{view.id}\t{view.scope}\t{view.prefix}…\t{state}\t{view.name}")


@key.command("revoke")
@click.argument("project_name", metavar="PROJECT")
@click.argument("key_id", metavar="KEY_ID", type=click.IntRange(1, 2**31 - 1))
@click.pass_context
def key_revoke(context: click.Context, project_name: str, key_id: int) -> None:
    """Revoke a key (its id from `key list`): it stops working on every process within
    `fresh_seconds`."""
    runtime = runtime_of(context)
    project = guard(lambda: find_project(runtime.database, project_name))
    revoked = guard(lambda: api_keys.revoke_key(runtime, project.id, key_id, WHO))
    click.echo(f"revoked key {revoked.name!r} ({revoked.prefix}…)", err=True)
