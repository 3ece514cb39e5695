"""The `spamward` command, driven through click against the test databases.

Storage commands run on SQLite and PostgreSQL (the `settings` fixture); the command reaches
the database through SPAMWARD_DATABASE_URL and SPAMWARD_DATA_DIR, like a deployment would.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import orjson
import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select

from spamward.cli import main
from spamward.domain.decision import ListName
from spamward.domain.entity import EntityKind
from spamward.errors import Unauthorized
from spamward.runtime import Runtime
from spamward.services.lists import NewEntry, add_to_list
from spamward.services.moderators import Role, authenticate, roles_of
from spamward.services.projects import KeyScope, caller_for_key, find_project, hash_key
from spamward.settings import Settings
from spamward.storage.db import Database
from spamward.storage.migrate import is_current
from spamward.storage.models import (
    ApiKey,
    Base,
    Decision,
    Entity,
    EntityOccurrence,
    Event,
    ListEntry,
    Moderator,
    Project,
)
from tests.conftest import EXAMPLE_POST

ENTITY_KEYS = ["domains", "urls", "emails", "phones"]
PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No SPAMWARD_* setting from the developer's shell leaks into the command."""
    for name in list(os.environ):
        if name.startswith("SPAMWARD_") and name != "SPAMWARD_TEST_POSTGRES_URL":
            monkeypatch.delenv(name)


def run(
    args: list[str],
    env: Mapping[str, str | None],
    input: str | None = None,  # noqa: A002 (click's name)
) -> Result:
    return CliRunner().invoke(main, args, env=dict(env), input=input)


def env_for(settings: Settings, **extra: str | None) -> dict[str, str | None]:
    return {
        "SPAMWARD_DATABASE_URL": settings.database_url,
        "SPAMWARD_DATA_DIR": str(settings.data_dir),
        **extra,
    }


@pytest.fixture
def offline_env(tmp_path: Path) -> dict[str, str | None]:
    """For commands that need no database: points at a file that must stay absent."""
    return {
        "SPAMWARD_DATABASE_URL": f"sqlite:///{tmp_path / 'unused' / 'never.db'}",
        "SPAMWARD_DATA_DIR": str(tmp_path / "var"),
    }


def assert_ok(result: Result) -> None:
    assert result.exit_code == 0, (result.output, result.exception)
    assert result.exception is None


def assert_fails_cleanly(result: Result, *fragments: str) -> None:
    """Exit 1 with `error: ...` on stderr: a handled error, not a crash with a traceback.

    CliRunner reports an uncaught exception as exit code 1 too, so the exception is checked.
    """
    assert result.exit_code == 1, (result.output, result.exception)
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    assert result.stderr.lower().startswith("error: "), result.stderr
    for fragment in fragments:
        assert fragment in result.stderr


def count(runtime: Runtime, model: type[Base]) -> int:
    with runtime.database.read() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def decision_json(result: Result) -> dict[str, Any]:
    assert_ok(result)
    lines = result.stdout.splitlines()
    assert len(lines) == 1, result.stdout
    parsed: dict[str, Any] = orjson.loads(lines[0])
    return parsed


def values(decision: dict[str, Any], plural: str, field: str = "value") -> list[Any]:
    return [entity[field] for entity in decision["entities"][plural]]


def extracted(result: Result) -> list[dict[str, list[str]]]:
    assert_ok(result)
    return [orjson.loads(line) for line in result.stdout.splitlines()]


# --- project and key -----------------------------------------------------------------------


def test_project_create_then_duplicate(settings: Settings, runtime: Runtime) -> None:
    env = env_for(settings)

    created = run(["project", "create", "site-a"], env)

    assert_ok(created)
    assert "created project site-a" in created.stdout
    assert find_project(runtime.database, "site-a").name == "site-a"

    duplicate = run(["project", "create", "site-a"], env)

    assert_fails_cleanly(duplicate, "already exists", "site-a")
    assert count(runtime, Project) == 1


def test_project_name_too_long_for_its_column_is_a_clean_error(
    settings: Settings, runtime: Runtime
) -> None:
    """projects.name is VARCHAR(100): PostgreSQL refuses a longer name with a raw DataError
    (a traceback), SQLite stores it silently. Both should answer `error: ...`, exit 1."""
    result = run(["project", "create", "p" * 101], env_for(settings))

    assert_fails_cleanly(result)
    assert count(runtime, Project) == 0


@pytest.mark.parametrize("name", ["", "   "])
def test_blank_project_name_is_refused(settings: Settings, runtime: Runtime, name: str) -> None:
    result = run(["project", "create", name], env_for(settings))

    assert_fails_cleanly(result)
    assert count(runtime, Project) == 0


def test_key_create_prints_a_working_key_stored_only_hashed(
    settings: Settings, runtime: Runtime
) -> None:
    env = env_for(settings)
    assert_ok(run(["project", "create", "site-a"], env))

    result = run(["key", "create", "site-a", "--name", "ci"], env)

    assert_ok(result)
    assert len(result.stdout.splitlines()) == 1  # the key alone: scripts capture stdout
    token = result.stdout.strip()
    assert re.fullmatch(r"sw_[A-Za-z0-9_-]{40,}", token), token
    assert "not shown again" in result.stderr
    assert token not in result.stderr
    project_id = find_project(runtime.database, "site-a").id
    assert caller_for_key(runtime, token).project_id == project_id
    with runtime.database.read() as session:
        rows = session.execute(select(ApiKey)).scalars().all()
        stored = [
            (row.project_id, row.name, row.prefix, row.key_hash, str(row.created_at))
            for row in rows
        ]
    assert len(stored) == 1
    assert stored[0][:2] == (project_id, "ci")
    assert stored[0][3] == hash_key(token)
    assert all(token not in str(value) for value in stored[0])


def test_each_key_create_makes_a_new_key(settings: Settings, runtime: Runtime) -> None:
    env = env_for(settings)
    assert_ok(run(["project", "create", "site-a"], env))

    first = run(["key", "create", "site-a"], env).stdout.strip()
    second = run(["key", "create", "site-a"], env).stdout.strip()

    assert first != second
    assert caller_for_key(runtime, first).project_id == caller_for_key(runtime, second).project_id
    assert count(runtime, ApiKey) == 2


def test_key_create_with_a_scope(settings: Settings, runtime: Runtime) -> None:
    env = env_for(settings)
    assert_ok(run(["project", "create", "site-a"], env))

    ingest = run(["key", "create", "site-a", "--scope", "ingest"], env)
    refused = run(["key", "create", "site-a", "--scope", "root"], env)

    assert_ok(ingest)
    assert caller_for_key(runtime, ingest.stdout.strip()).scope is KeyScope.INGEST
    assert refused.exit_code == 2 and "'root' is not one of" in refused.stderr
    assert count(runtime, ApiKey) == 1


def test_key_list_and_revoke_rotate_a_key(settings: Settings, runtime: Runtime) -> None:
    env = env_for(settings)
    assert_ok(run(["project", "create", "site-a"], env))
    old = run(["key", "create", "site-a", "--name", "old"], env).stdout.strip()
    new = run(["key", "create", "site-a", "--name", "new", "--scope", "ingest"], env)

    listed = run(["key", "list", "site-a"], env)
    old_id = next(line.split("\t")[0] for line in listed.stdout.splitlines() if "old" in line)
    revoked = run(["key", "revoke", "site-a", old_id], env)
    again = run(["key", "revoke", "site-a", old_id], env)
    missing = run(["key", "revoke", "site-a", "99999999999"], env)

    assert_ok(listed)
    assert sorted(line.split("\t")[1] for line in listed.stdout.splitlines()) == ["admin", "ingest"]
    assert old[:10] in listed.stdout and old not in listed.stdout
    assert_ok(revoked)
    with pytest.raises(Unauthorized):
        caller_for_key(runtime, old)
    assert caller_for_key(runtime, new.stdout.strip()).scope is KeyScope.INGEST
    assert_fails_cleanly(again, "already revoked")
    assert missing.exit_code == 2  # not a key id: click says so
    assert "revoked" in run(["key", "list", "site-a"], env).stdout


def test_key_create_for_a_missing_project(settings: Settings, runtime: Runtime) -> None:
    result = run(["key", "create", "nowhere"], env_for(settings))

    assert_fails_cleanly(result, "no project named 'nowhere'")
    assert result.stdout == ""
    assert count(runtime, ApiKey) == 0


# --- moderators ----------------------------------------------------------------------------


def test_moderator_create_with_password_from_environment(
    settings: Settings, runtime: Runtime
) -> None:
    env = env_for(settings, SPAMWARD_PASSWORD=PASSWORD)
    assert_ok(run(["project", "create", "site-a"], env))

    result = run(
        ["moderator", "create", "Mod@Example.test", "--project", "site-a", "--role", "viewer"],
        env,
    )

    assert_ok(result)
    assert "created moderator mod@example.test (viewer on site-a)" in result.stdout
    moderator = authenticate(runtime.database, "mod@example.test", PASSWORD)
    assert moderator is not None
    assert authenticate(runtime.database, "mod@example.test", PASSWORD + "!") is None
    roles = roles_of(runtime.database, moderator.id)
    assert [(role.project.name, role.role) for role in roles] == [("site-a", Role.VIEWER)]


def test_moderator_password_sets_a_new_one_and_ends_sessions(
    settings: Settings, runtime: Runtime
) -> None:
    env = env_for(settings, SPAMWARD_PASSWORD=PASSWORD)
    assert_ok(run(["project", "create", "site-a"], env))
    assert_ok(run(["moderator", "create", "mod@example.test", "--project", "site-a"], env))
    before = authenticate(runtime.database, "mod@example.test", PASSWORD)
    assert before is not None

    changed = run(["moderator", "password", "MOD@example.test"],
                  env_for(settings, SPAMWARD_PASSWORD=PASSWORD + "-2"))  # fmt: skip
    missing = run(["moderator", "password", "nobody@example.test"], env)

    assert_ok(changed)
    assert authenticate(runtime.database, "mod@example.test", PASSWORD) is None
    after = authenticate(runtime.database, "mod@example.test", PASSWORD + "-2")
    assert after is not None and after.session_epoch == before.session_epoch + 1
    assert_fails_cleanly(missing, "no moderator 'nobody@example.test'")


def test_moderator_create_with_prompted_password(settings: Settings, runtime: Runtime) -> None:
    env = env_for(settings)
    assert_ok(run(["project", "create", "site-a"], env))

    result = run(
        ["moderator", "create", "mod@example.test", "--project", "site-a", "--role", "viewer"],
        env,
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )

    assert_ok(result)
    assert "Password" in result.output  # it was asked for
    assert PASSWORD not in result.output  # and not echoed
    moderator = authenticate(runtime.database, "mod@example.test", PASSWORD)
    assert moderator is not None
    assert [r.role for r in roles_of(runtime.database, moderator.id)] == [Role.VIEWER]


@pytest.mark.parametrize("how", ["environment", "prompt"])
def test_moderator_short_password_is_refused(
    settings: Settings, runtime: Runtime, how: str
) -> None:
    assert_ok(run(["project", "create", "site-a"], env_for(settings)))
    short = "seven77"
    args = ["moderator", "create", "mod@example.test", "--project", "site-a"]

    if how == "environment":
        result = run(args, env_for(settings, SPAMWARD_PASSWORD=short))
    else:
        result = run(args, env_for(settings), input=f"{short}\n{short}\n")

    assert_fails_cleanly(result, "at least 8 characters")
    assert count(runtime, Moderator) == 0


def test_moderator_create_for_a_missing_project(settings: Settings, runtime: Runtime) -> None:
    result = run(
        ["moderator", "create", "mod@example.test", "--project", "nowhere"],
        env_for(settings, SPAMWARD_PASSWORD=PASSWORD),
    )

    assert_fails_cleanly(result, "no project named 'nowhere'")
    assert count(runtime, Moderator) == 0


def test_moderator_create_twice(settings: Settings, runtime: Runtime) -> None:
    env = env_for(settings, SPAMWARD_PASSWORD=PASSWORD)
    assert_ok(run(["project", "create", "site-a"], env))
    args = ["moderator", "create", "mod@example.test", "--project", "site-a"]
    assert_ok(run(args, env))

    again = run(args, env)

    assert_fails_cleanly(again, "already exists")
    assert count(runtime, Moderator) == 1


# --- check ---------------------------------------------------------------------------------


def test_check_prints_the_decision_as_json(settings: Settings) -> None:
    decision = decision_json(run(["check", EXAMPLE_POST], env_for(settings)))

    assert decision["verdict"] == "allow"
    assert decision["reasons"] == ["shortened_link: shortener domain bit.ly, url bit.ly/3iXhvjG"]
    assert decision["id"] is None

    assert decision["event_id"] is None
    assert list(decision["entities"]) == [*ENTITY_KEYS, "texts"]
    assert values(decision, "domains") == ["bit.ly"]
    assert values(decision, "urls", "display") == ["bit.ly/3iXhvjG"]
    assert values(decision, "emails") == []
    assert values(decision, "phones") == ["+15551234567"]
    assert decision["entities"]["domains"][0]["shortener"] is True
    assert decision["entities"]["domains"][0]["list"] is None


def test_check_against_a_project_deny_list_stores_nothing(
    settings: Settings, runtime: Runtime
) -> None:
    env = env_for(settings)
    assert_ok(run(["project", "create", "site-a"], env))
    project_id = find_project(runtime.database, "site-a").id
    add_to_list(runtime, project_id, ListName.DENY, NewEntry(EntityKind.DOMAIN, "bit.ly"), "t")
    stored = (Decision, Event, Entity, EntityOccurrence)
    before = {model: count(runtime, model) for model in stored}

    decision = decision_json(run(["check", "--project", "site-a", EXAMPLE_POST], env))

    assert decision["verdict"] == "block"
    assert decision["score"] > 0
    assert any("bit.ly" in reason for reason in decision["reasons"]), decision["reasons"]
    assert decision["entities"]["domains"][0]["list"] == "deny"
    assert decision["id"] is None
    assert {model: count(runtime, model) for model in stored} == before
    assert count(runtime, ListEntry) == 1


def test_check_without_project_ignores_project_lists(settings: Settings, runtime: Runtime) -> None:
    env = env_for(settings)
    assert_ok(run(["project", "create", "site-a"], env))
    project_id = find_project(runtime.database, "site-a").id
    add_to_list(runtime, project_id, ListName.DENY, NewEntry(EntityKind.DOMAIN, "bit.ly"), "t")

    assert decision_json(run(["check", EXAMPLE_POST], env))["verdict"] == "allow"


def test_check_reads_stdin_without_an_argument(settings: Settings) -> None:
    from_stdin = decision_json(run(["check"], env_for(settings), input=EXAMPLE_POST))
    from_argument = decision_json(run(["check", EXAMPLE_POST], env_for(settings)))

    assert from_stdin["entities"] == from_argument["entities"]
    assert values(from_stdin, "phones") == ["+15551234567"]


def test_check_for_a_missing_project(settings: Settings) -> None:
    result = run(["check", "--project", "nowhere", "hello"], env_for(settings))

    assert_fails_cleanly(result, "no project named 'nowhere'")
    assert result.stdout == ""


@pytest.mark.parametrize("region", ["GB", "gb"])
def test_check_region_is_read_like_extract_region(
    offline_env: dict[str, str | None], region: str
) -> None:
    """`extract --region gb` upper-cases the region; `check --region gb` passes it on as-is
    and silently finds no phone number."""
    text = "call 020 7946 0018"

    decision = decision_json(run(["check", "--region", region, text], offline_env))
    entities = extracted(run(["extract", "--region", region], offline_env, input=text))

    assert values(decision, "phones") == ["+442079460018"]
    assert entities[0]["phones"] == ["+442079460018"]


@pytest.mark.parametrize("command", ["check", "extract"])
def test_region_that_is_not_a_country_code_is_refused(
    offline_env: dict[str, str | None], command: str
) -> None:
    """Settings refuse default_region "usa"; the --region option accepts it and then finds
    no phone numbers at all, without a word."""
    result = run([command, "--region", "usa"], offline_env, input="call 555-123-4567")

    assert result.exit_code != 0, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "region" in result.output.lower()


# --- extract -------------------------------------------------------------------------------


def test_extract_the_example_post(offline_env: dict[str, str | None], tmp_path: Path) -> None:
    result = run(["extract", "--region", "US"], offline_env, input=EXAMPLE_POST)

    assert extracted(result) == [
        {
            "domains": ["bit.ly"],
            "urls": ["bit.ly/3iXhvjG"],
            "emails": [],
            "phones": ["+15551234567"],
        }
    ]
    assert list(extracted(result)[0]) == ENTITY_KEYS
    assert not (tmp_path / "unused").exists()  # no database was opened


def test_extract_default_region_comes_from_settings(offline_env: dict[str, str | None]) -> None:
    text = "call 020 7946 0018"
    gb_env = {**offline_env, "SPAMWARD_DEFAULT_REGION": "GB"}

    assert extracted(run(["extract"], gb_env, input=text))[0]["phones"] == ["+442079460018"]
    assert extracted(run(["extract"], offline_env, input=text))[0]["phones"] == []


def test_extract_lines_prints_one_object_per_line_in_order(
    offline_env: dict[str, str | None],
) -> None:
    text = "visit example.com today\nwrite to bob@example.org\ncall 555-123-4567\n"

    objects = extracted(run(["extract", "--lines"], offline_env, input=text))

    assert objects == [
        {"domains": ["example.com"], "urls": ["example.com"], "emails": [], "phones": []},
        {"domains": [], "urls": [], "emails": ["bob@example.org"], "phones": []},
        {"domains": [], "urls": [], "emails": [], "phones": ["+15551234567"]},
    ]


def test_extract_lines_keeps_empty_lines(offline_env: dict[str, str | None]) -> None:
    objects = extracted(run(["extract", "--lines"], offline_env, input="a.com\n\nb.com\n"))

    assert [o["domains"] for o in objects] == [["a.com"], [], ["b.com"]]


def test_extract_without_lines_reads_all_input_as_one_text(
    offline_env: dict[str, str | None],
) -> None:
    objects = extracted(run(["extract"], offline_env, input="a.com\nb.com\n"))

    assert len(objects) == 1
    assert sorted(objects[0]["domains"]) == ["a.com", "b.com"]


def test_extract_region_changes_national_numbers(offline_env: dict[str, str | None]) -> None:
    text = "call 020 7946 0018"

    gb = extracted(run(["extract", "--region", "GB"], offline_env, input=text))[0]
    us = extracted(run(["extract", "--region", "US"], offline_env, input=text))[0]

    assert gb["phones"] == ["+442079460018"]
    assert us["phones"] != gb["phones"]
    assert us["phones"] == []  # not a valid US number


@hypothesis_settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(alphabet=st.characters(codec="utf-8"), max_size=200))
def test_extract_always_prints_exactly_the_four_keys(
    offline_env: dict[str, str | None], text: str
) -> None:
    objects = extracted(run(["extract"], offline_env, input=text))

    assert len(objects) == 1
    assert list(objects[0]) == ENTITY_KEYS
    assert all(isinstance(v, str) for found in objects[0].values() for v in found)


# --- migrate and demo ----------------------------------------------------------------------


def test_migrate_twice(settings: Settings, runtime: Runtime) -> None:
    env = env_for(settings)

    first = run(["migrate"], env)
    second = run(["migrate"], env)

    assert_ok(first)
    assert_ok(second)
    assert "database is up to date" in second.stdout
    assert is_current(runtime.database)


def test_migrate_creates_the_schema_of_an_empty_sqlite_file(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'new' / 'spamward.db'}")
    database = Database(settings)
    try:
        assert not is_current(database)

        assert_ok(run(["migrate"], env_for(settings)))

        assert is_current(database)
        assert_ok(run(["migrate"], env_for(settings)))
        assert is_current(database)
    finally:
        database.dispose()


def demo_output(result: Result) -> tuple[str, str, int | None]:
    assert_ok(result)
    key = re.search(r"^API key\s*:\s*(sw_\S+)", result.stdout, re.MULTILINE)
    login = re.search(r"^dashboard\s*:\s*\S+ / (\S+)$", result.stdout, re.MULTILINE)
    loaded = re.search(r"^demo traffic\s*:\s*(\d+) events", result.stdout, re.MULTILINE)
    assert key is not None, result.stdout
    assert login is not None, result.stdout
    return key[1], login[1], int(loaded[1]) if loaded else None


def test_demo_twice_creates_everything_once(settings: Settings, runtime: Runtime) -> None:
    env = env_for(settings)
    tables = (Project, ApiKey, Moderator, Event, Decision, Entity, ListEntry)

    first_key, first_password, loaded = demo_output(run(["demo"], env))

    counts = {model: count(runtime, model) for model in tables}
    assert counts[Project] == 1
    assert counts[ApiKey] == 1
    assert counts[Moderator] == 1
    assert counts[Event] > 100
    assert loaded == counts[Event] == counts[Decision]
    demo_id = find_project(runtime.database, "demo").id
    assert caller_for_key(runtime, first_key).project_id == demo_id
    assert authenticate(runtime.database, "moderator@demo.test", first_password) is not None
    key_file = settings.data_dir / "demo-api-key"
    assert key_file.read_text(encoding="ascii").strip() == first_key
    assert stat.S_IMODE(key_file.stat().st_mode) & 0o077 == 0

    second_key, second_password, loaded_again = demo_output(run(["demo"], env))

    assert (second_key, second_password) == (first_key, first_password)
    assert loaded_again is None  # no traffic line: nothing was loaded
    assert {model: count(runtime, model) for model in tables} == counts
    assert caller_for_key(runtime, second_key).project_id == demo_id


def test_demo_restores_a_deleted_moderator(settings: Settings, runtime: Runtime) -> None:
    env = env_for(settings)
    _, password, _ = demo_output(run(["demo"], env))
    events = count(runtime, Event)
    with runtime.database.write() as session:
        session.execute(delete(Moderator))

    _, password_again, loaded = demo_output(run(["demo"], env))

    assert password_again == password
    assert loaded is None
    assert count(runtime, Event) == events
    assert authenticate(runtime.database, "moderator@demo.test", password) is not None


# --- settings errors -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("toml", "fragments"),
    [
        ("port = \n", ("cannot read settings file", "bad.toml")),
        ('colour = "red"\n', ("invalid settings", "colour")),
        ("port = 0\n", ("invalid settings", "port")),
        ('default_region = "usa"\n', ("invalid settings", "default_region")),
    ],
)
def test_bad_config_file_is_a_clean_error(
    tmp_path: Path, offline_env: dict[str, str | None], toml: str, fragments: tuple[str, ...]
) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(toml, encoding="utf-8")

    for args, env in (
        (["--config", str(path), "migrate"], offline_env),
        (["migrate"], {**offline_env, "SPAMWARD_CONFIG": str(path)}),
    ):
        result = run(args, env)

        assert_fails_cleanly(result, *fragments)
        assert result.stdout == ""
    assert not (tmp_path / "unused").exists()


def test_missing_config_file_is_a_clean_error(
    tmp_path: Path, offline_env: dict[str, str | None]
) -> None:
    result = run(["--config", str(tmp_path / "absent.toml"), "extract"], offline_env, input="x")

    assert_fails_cleanly(result, "cannot read settings file", "absent.toml")


def test_bad_environment_value_is_a_clean_error(offline_env: dict[str, str | None]) -> None:
    result = run(["extract"], {**offline_env, "SPAMWARD_PORT": "0"}, input="x")

    assert_fails_cleanly(result, "invalid settings", "port")


def test_config_file_settings_are_used(tmp_path: Path) -> None:
    database_file = tmp_path / "from-config.db"
    path = tmp_path / "spamward.toml"
    path.write_text(
        f'database_url = "sqlite:///{database_file}"\ndata_dir = "{tmp_path / "var"}"\n',
        encoding="utf-8",
    )

    assert_ok(run(["--config", str(path), "migrate"], {}))
    assert_ok(run(["--config", str(path), "project", "create", "site-a"], {}))

    database = Database(Settings(database_url=f"sqlite:///{database_file}"))
    try:
        assert is_current(database)
        assert find_project(database, "site-a").name == "site-a"
    finally:
        database.dispose()
