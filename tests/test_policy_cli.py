"""`spamward policy ...`: export, import, validate, publish, rollback, versions and backtest,
driven through the real command against the test databases (SQLite and PostgreSQL)."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
import yaml
from click.testing import Result

from spamward.domain.event import Actor, Content, Event, EventType
from spamward.policy.compiled import parse_document
from spamward.policy.defaults import default_document
from spamward.runtime import Runtime
from spamward.services import policies
from spamward.services.decisions import decide
from spamward.settings import Settings
from tests.conftest import ApiProject, Clock
from tests.test_cli import (  # noqa: F401 (clean_environment: an autouse fixture)
    assert_fails_cleanly,
    assert_ok,
    clean_environment,
    env_for,
    run,
)

HOLD_FREE_MONEY = {
    "name": "free_money",
    "condition": 'matches(event.text, "(?i)free money")',
    "verdict": "hold",
    "reason": "free money",
}


def policy(settings: Settings, *args: str) -> Result:
    return run(["policy", *args], env_for(settings))


def write_yaml(path: Path, data: Any) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def default_with(*rules: dict[str, Any]) -> dict[str, Any]:
    document = default_document().dump()
    return {**document, "rules": [*document["rules"], *rules]}


def assert_refused(result: Result, *fragments: str) -> None:
    """Exit 1 with the problems and `Error: ...` on stderr, no traceback."""
    assert result.exit_code == 1, (result.output, result.exception)
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    assert "Error: " in result.stderr, result.stderr
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr


def record(runtime: Runtime, clock: Clock, project: ApiProject, text: str, at: datetime) -> str:
    """A decision recorded through the decision service at `at`; its verdict."""
    clock.now = at
    event = Event(EventType.POST, Actor(user_id="user-1"), at, Content(text))
    return decide(runtime, project.id, event).verdict


# --- export, validate, import ---------------------------------------------------------------


def test_export_prints_yaml_that_validate_accepts(
    settings: Settings, project: ApiProject, tmp_path: Path
) -> None:
    exported = policy(settings, "export", "--project", project.name)

    assert_ok(exported)
    assert parse_document(yaml.safe_load(exported.stdout)) == default_document()
    path = tmp_path / "policy.yaml"
    path.write_text(exported.stdout, encoding="utf-8")

    validated = policy(settings, "validate", str(path))

    assert_ok(validated)
    assert validated.stdout == f"{path}: valid, {len(default_document().rules)} rules\n"


def test_export_of_version_1_is_the_default_policy(
    settings: Settings, runtime: Runtime, project: ApiProject
) -> None:
    policies.add_rule(runtime, project.id, HOLD_FREE_MONEY, "test")
    policies.publish(runtime, project.id, "test")

    version_1 = policy(settings, "export", "--project", project.name, "--version", "1")
    version_2 = policy(settings, "export", "--project", project.name, "--version", "2")

    assert_ok(version_1)
    assert parse_document(yaml.safe_load(version_1.stdout)) == default_document()
    assert parse_document(yaml.safe_load(version_2.stdout)) == parse_document(
        default_with(HOLD_FREE_MONEY)
    )


def test_import_with_publish_replaces_the_draft_and_publishes(
    settings: Settings, runtime: Runtime, clock: Clock, project: ApiProject, tmp_path: Path
) -> None:
    now = datetime.now(UTC)
    assert record(runtime, clock, project, "free money", now) == "allow"  # version 1, cached
    path = write_yaml(tmp_path / "policy.yaml", default_with(HOLD_FREE_MONEY))

    imported = policy(
        settings, "import", str(path), "--project", project.name, "--publish", "--note", "x"
    )

    assert_ok(imported)
    rules = len(default_document().rules) + 1
    assert imported.stdout == f"draft replaced: {rules} rules\npublished version 2\n"
    assert policies.draft(runtime, project.id) == parse_document(default_with(HOLD_FREE_MONEY))
    overview = policies.overview(runtime, project.id)
    assert (overview.live_version, overview.unpublished_changes) == (2, False)
    listed = policy(settings, "versions", "--project", project.name)
    assert_ok(listed)
    lines = listed.stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("*    2  ")
    assert lines[0].endswith("  cli  x")
    assert lines[1].startswith("     1  ")
    assert lines[1].endswith("  system  default policy")
    # This process sees the command's publish once its copy of the settings is older than
    # fresh_seconds (0.5 s).
    event = Event(EventType.POST, Actor(user_id="user-1"), now, Content("free money"))
    deadline = time.monotonic() + 10
    while (decision := decide(runtime, project.id, event)).trace["policy_version"] != 2:
        assert time.monotonic() < deadline, "the publish was not seen"
    assert decision.verdict == "hold"


def test_import_without_publish_only_changes_the_draft(
    settings: Settings, runtime: Runtime, project: ApiProject, tmp_path: Path
) -> None:
    path = write_yaml(tmp_path / "policy.yaml", {"rules": [HOLD_FREE_MONEY]})

    imported = policy(settings, "import", str(path), "--project", project.name)

    assert_ok(imported)
    assert imported.stdout == "draft replaced: 1 rules\n"
    overview = policies.overview(runtime, project.id)
    assert (overview.live_version, overview.unpublished_changes) == (1, True)
    assert [rule.name for rule in overview.draft.rules] == ["free_money"]

    published = policy(settings, "publish", "--project", project.name, "--note", "later")

    assert_ok(published)
    assert published.stdout == "published version 2\n"
    assert policies.overview(runtime, project.id).unpublished_changes is False


def test_export_after_import_gives_back_the_same_policy(
    settings: Settings, project: ApiProject, tmp_path: Path
) -> None:
    tricky = {
        "rules": [
            {
                "name": "multi_line",
                "description": "émoji 🎉 # not a comment: yes",
                "condition": 'event.text == "x"\n  and event.link_count > 1\n',
                "reason": "  leading spaces",
                "weight": 0.5,
                "effects": [{"action": "suspend_user", "params": {"duration": "7d"}}],
            },
            {"name": "watch", "condition": "true", "verdict": "challenge", "mode": "shadow"},
        ],
        "scoring": {"thresholds": {"flag": 0.1, "block": 99999.5}},
    }
    path = write_yaml(tmp_path / "tricky.yaml", tricky)
    assert_ok(policy(settings, "import", str(path), "--project", project.name))

    exported = policy(settings, "export", "--project", project.name)

    assert_ok(exported)
    assert parse_document(yaml.safe_load(exported.stdout)) == parse_document(tricky)


@pytest.mark.parametrize("command", ["validate", "import"])
def test_a_bad_condition_is_refused_with_its_position(
    settings: Settings, runtime: Runtime, project: ApiProject, tmp_path: Path, command: str
) -> None:
    typo = {"name": "typo", "condition": 'actor.status == "new" and event.lenght > 3'}
    path = write_yaml(tmp_path / "bad.yaml", default_with(HOLD_FREE_MONEY, typo))
    column = typo["condition"].index("lenght") + 1
    args = [command, str(path)] + (["--project", project.name] if command == "import" else [])

    result = policy(settings, *args)

    assert_refused(
        result,
        "rule 'typo'",
        "condition",
        f"line 1, column {column}",
        "unknown field 'lenght' on event",
    )
    assert result.stdout == ""
    assert policies.draft(runtime, project.id) == default_document()


def test_every_bad_condition_is_listed(settings: Settings, tmp_path: Path) -> None:
    path = write_yaml(
        tmp_path / "bad.yaml",
        {
            "rules": [
                {"name": "first", "condition": "event.txt == 'x'"},
                HOLD_FREE_MONEY,
                {"name": "second", "condition": "event.link_count >"},
            ]
        },
    )

    result = policy(settings, "validate", str(path))

    assert_refused(result, "rule 'first' condition line 1, column 7: unknown field 'txt'")
    assert "rule 'second' condition line 1, column 19: syntax error" in result.stderr
    assert "(and 1 more)" in result.stderr


@pytest.mark.parametrize("command", ["validate", "import", "backtest"])
def test_invalid_yaml_is_a_clean_error(
    settings: Settings, runtime: Runtime, project: ApiProject, tmp_path: Path, command: str
) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("rules:\n  - name: x\n   condition: [unclosed\n", encoding="utf-8")
    args = [command, str(path)] + (["--project", project.name] if command != "validate" else [])

    result = policy(settings, *args)

    assert_fails_cleanly(result, "broken.yaml is not valid YAML")
    assert result.stdout == ""
    assert policies.draft(runtime, project.id) == default_document()


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("", "valid dictionary"),
        ("- a\n- b\n", "valid dictionary"),
        ("rules: 5\n", "rules: Input should be a valid list"),
        ("rules:\n  - name: x\n    condition: 'true'\n    colour: red\n", "colour"),
        (b"\xff\xfe rules", "not valid YAML"),
    ],
    ids=["empty", "a-list", "rules-not-a-list", "extra-key", "not-utf8"],
)
def test_a_file_that_is_not_a_policy_is_refused(
    settings: Settings, tmp_path: Path, content: str | bytes, fragment: str
) -> None:
    path = tmp_path / "odd.yaml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")

    result = policy(settings, "validate", str(path))

    assert_refused(result, fragment)


def test_a_missing_project_is_a_clean_error(settings: Settings, tmp_path: Path) -> None:
    path = write_yaml(tmp_path / "policy.yaml", default_document().dump())

    for args in (
        ["export", "--project", "nowhere"],
        ["import", str(path), "--project", "nowhere"],
        ["versions", "--project", "nowhere"],
        ["rollback", "1", "--project", "nowhere"],
        ["backtest", str(path), "--project", "nowhere"],
    ):
        assert_fails_cleanly(policy(settings, *args), "no project named 'nowhere'")


def test_a_missing_version_is_a_clean_error(settings: Settings, project: ApiProject) -> None:
    exported = policy(settings, "export", "--project", project.name, "--version", "9")
    rolled = policy(settings, "rollback", "9", "--project", project.name)

    assert_fails_cleanly(exported, "no policy version 9")
    assert_fails_cleanly(rolled, "no policy version 9")


@pytest.mark.parametrize("number", [2**31, 10**20], ids=["above-int32", "above-int64"])
@pytest.mark.parametrize("command", ["export", "rollback"])
def test_a_version_too_large_for_the_column_is_a_clean_error(
    settings: Settings,
    backend: str,
    project: ApiProject,
    request: pytest.FixtureRequest,
    command: str,
    number: int,
) -> None:
    if command == "export":
        result = policy(settings, "export", "--project", project.name, "--version", str(number))
    else:
        result = policy(settings, "rollback", str(number), "--project", project.name)

    assert_fails_cleanly(result, f"no policy version {number}")


# --- publish and rollback -------------------------------------------------------------------


def test_rollback_publishes_the_old_version_again(
    settings: Settings, runtime: Runtime, project: ApiProject, tmp_path: Path
) -> None:
    path = write_yaml(tmp_path / "policy.yaml", {"rules": [HOLD_FREE_MONEY]})
    assert_ok(policy(settings, "import", str(path), "--project", project.name, "--publish"))

    rolled = policy(settings, "rollback", "1", "--project", project.name)

    assert_ok(rolled)
    assert rolled.stdout == "published version 3 (rollback to version 1)\n"
    overview = policies.overview(runtime, project.id)
    assert (overview.live_version, overview.unpublished_changes) == (3, False)
    assert overview.draft == default_document()
    lines = policy(settings, "versions", "--project", project.name).stdout.splitlines()
    assert [line[:6] for line in lines] == ["*    3", "     2", "     1"]
    assert lines[0].endswith("rollback to version 1")
    assert lines[1].endswith("policy.yaml")  # the file's name is the default note


# --- backtest -------------------------------------------------------------------------------

TEXTS = ["free money inside", "hello", "FREE MONEY!!", "nice day", "want free money?"]


def recorded(runtime: Runtime, clock: Clock, project: ApiProject) -> tuple[int, int]:
    """TEXTS recorded now (the command's clock is the real one), one more long ago; the
    decisions of the last 14 days and how many the free money rule changes."""
    now = datetime.now(UTC)
    record(runtime, clock, project, "free money, long ago", now - timedelta(days=20))
    verdicts = [record(runtime, clock, project, text, now) for text in TEXTS]
    changes = sum(
        1
        for text, verdict in zip(TEXTS, verdicts, strict=True)
        if re.search(r"(?i)free money", text) and verdict != "hold"
    )
    return len(TEXTS), changes


def test_backtest_prints_how_verdicts_change(
    settings: Settings, runtime: Runtime, clock: Clock, project: ApiProject, tmp_path: Path
) -> None:
    events, changes = recorded(runtime, clock, project)
    path = write_yaml(tmp_path / "policy.yaml", default_with(HOLD_FREE_MONEY))

    result = policy(settings, "backtest", str(path), "--project", project.name, "--days", "14")

    assert_ok(result)
    lines = result.stdout.splitlines()
    assert lines[0] == f"{events} decisions of the last 14 days replayed; {changes} verdicts change"
    assert re.fullmatch(rf"\s+allow -> hold\s+{changes}", lines[1]), lines[1]
    examples = [line.strip() for line in lines if line.strip().startswith("e.g. ")]
    assert examples == [
        'e.g. "free money inside"',
        'e.g. "FREE MONEY!!"',
        'e.g. "want free money?"',
    ]
    assert f"rule hits: free_money {changes}" in lines
    assert policies.overview(runtime, project.id).live_version == 1  # nothing published


def test_backtest_as_json(
    settings: Settings, runtime: Runtime, clock: Clock, project: ApiProject, tmp_path: Path
) -> None:
    events, changes = recorded(runtime, clock, project)
    path = write_yaml(tmp_path / "policy.yaml", default_with(HOLD_FREE_MONEY))

    result = policy(settings, "backtest", str(path), "--project", project.name, "--json")

    assert_ok(result)
    report = orjson.loads(result.stdout)
    assert (report["days"], report["events"], report["changed"]) == (14, events, changes)
    assert report["verdicts_after"] == {"allow": events - changes, "hold": changes}
    assert [(c["from"], c["to"], c["count"]) for c in report["changes"]] == [
        ("allow", "hold", changes)
    ]


def test_backtest_of_an_unchanged_policy(
    settings: Settings, runtime: Runtime, clock: Clock, project: ApiProject, tmp_path: Path
) -> None:
    events, _ = recorded(runtime, clock, project)
    path = write_yaml(tmp_path / "policy.yaml", default_document().dump())

    result = policy(settings, "backtest", str(path), "--project", project.name, "--days", "30")

    assert_ok(result)
    assert result.stdout.splitlines()[0] == (
        f"{events + 1} decisions of the last 30 days replayed; 0 verdicts change"
    )


def test_backtest_escapes_hostile_text(
    settings: Settings, runtime: Runtime, clock: Clock, project: ApiProject, tmp_path: Path
) -> None:
    hostile = "free money \x1b[31mRED\x1b[0m\r\x07 done"
    assert record(runtime, clock, project, hostile, datetime.now(UTC)) == "allow"
    path = write_yaml(tmp_path / "policy.yaml", default_with(HOLD_FREE_MONEY))

    result = policy(settings, "backtest", str(path), "--project", project.name)

    assert_ok(result)
    assert "\x1b" not in result.stdout
    assert "\x07" not in result.stdout
    assert "\r" not in result.stdout
    assert 'e.g. "free money \\u001b[31mRED\\u001b[0m\\r\\u0007 done"' in result.stdout


def test_backtest_of_a_bad_file_replays_nothing(
    settings: Settings, project: ApiProject, tmp_path: Path
) -> None:
    typo = {"name": "typo", "condition": "event.txt == 'x'"}
    path = write_yaml(tmp_path / "bad.yaml", default_with(typo))

    result = policy(settings, "backtest", str(path), "--project", project.name)

    assert_refused(result, "rule 'typo' condition line 1, column 7")
    assert result.stdout == ""


def test_backtest_days_out_of_range_is_refused(
    settings: Settings, project: ApiProject, tmp_path: Path
) -> None:
    path = write_yaml(tmp_path / "policy.yaml", default_document().dump())

    result = policy(settings, "backtest", str(path), "--project", project.name, "--days", "0")

    assert result.exit_code == 2
    assert "--days" in result.stderr
