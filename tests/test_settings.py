"""load_settings: defaults, the TOML file, SPAMWARD_* overrides, validation; session_secret."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from spamward.errors import ConfigError
from spamward.settings import Settings, load_settings, session_secret


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No SPAMWARD_* variable from the developer's shell, and a cwd with no var/ in it."""
    for name in list(os.environ):
        if name.startswith("SPAMWARD_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def write_toml(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def umask_zero() -> Iterator[None]:
    """The most permissive umask: a file's mode is then exactly what the code asked for."""
    previous = os.umask(0)
    try:
        yield
    finally:
        os.umask(previous)


def test_defaults_without_file_or_environment() -> None:
    settings = load_settings()

    assert settings.data_dir == Path("var")
    assert settings.database_url == "sqlite:///var/spamward.db"
    assert settings.is_sqlite
    assert settings.sqlite_synchronous == "NORMAL"
    assert settings.host == "127.0.0.1"
    assert settings.port == 8000
    assert settings.default_region == "US"
    assert settings.max_body_bytes == 1_048_576
    assert settings.secret_key is None
    assert settings.secure_cookies is False
    assert settings.log_level == "warning"


def test_toml_file_sets_values(tmp_path: Path) -> None:
    path = write_toml(
        tmp_path / "spamward.toml",
        'database_url = "postgresql+psycopg://db.example/spam"\n'
        f'data_dir = "{tmp_path / "data"}"\n'
        'host = "10.0.0.2"\n'
        "port = 9000\n"
        'default_region = "GB"\n'
        "secure_cookies = true\n"
        'secret_key = "from-the-file"\n'
        'log_level = "debug"\n'
        'sqlite_synchronous = "FULL"\n',
    )

    settings = load_settings(path)

    assert settings.database_url == "postgresql+psycopg://db.example/spam"
    assert not settings.is_sqlite
    assert settings.data_dir == tmp_path / "data"
    assert settings.host == "10.0.0.2"
    assert settings.port == 9000
    assert settings.default_region == "GB"
    assert settings.secure_cookies is True
    assert settings.secret_key is not None
    assert settings.secret_key.get_secret_value() == "from-the-file"
    assert settings.log_level == "debug"
    assert settings.sqlite_synchronous == "FULL"


def test_secret_key_is_not_shown_in_repr(tmp_path: Path) -> None:
    path = write_toml(tmp_path / "spamward.toml", 'secret_key = "do-not-print-me"\n')

    settings = load_settings(path)

    assert "do-not-print-me" not in repr(settings)
    assert "do-not-print-me" not in str(settings)


def test_environment_overrides_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_toml(
        tmp_path / "spamward.toml", 'port = 9000\ndefault_region = "GB"\nhost = "10.0.0.1"\n'
    )
    monkeypatch.setenv("SPAMWARD_PORT", "9100")
    monkeypatch.setenv("SPAMWARD_DEFAULT_REGION", "FR")

    settings = load_settings(path)

    assert settings.port == 9100
    assert settings.default_region == "FR"
    assert settings.host == "10.0.0.1"  # not in the environment: the file's value stands


def test_environment_alone_sets_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPAMWARD_DATABASE_URL", "postgresql+psycopg://db.example/spam")
    monkeypatch.setenv("SPAMWARD_SECURE_COOKIES", "true")

    settings = load_settings()

    assert settings.database_url == "postgresql+psycopg://db.example/spam"
    assert settings.secure_cookies is True


def test_other_spamward_variables_are_not_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI reads SPAMWARD_PASSWORD and SPAMWARD_CONFIG: they must not fail validation."""
    monkeypatch.setenv("SPAMWARD_PASSWORD", "correct horse battery")
    monkeypatch.setenv("SPAMWARD_TEST_POSTGRES_URL", "postgresql://example/test")

    assert load_settings().port == 8000


def test_spamward_config_names_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_toml(tmp_path / "from-env.toml", "port = 9200\n")
    monkeypatch.setenv("SPAMWARD_CONFIG", str(path))

    assert load_settings().port == 9200


def test_config_argument_wins_over_spamward_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SPAMWARD_CONFIG", str(write_toml(tmp_path / "env.toml", "port = 9200\n")))
    given = write_toml(tmp_path / "given.toml", "port = 9300\n")

    assert load_settings(given).port == 9300


@pytest.mark.parametrize(
    ("toml", "named"),
    [
        ("port = 0\n", "port"),
        ("port = 65536\n", "port"),
        ('default_region = "usa"\n', "default_region"),
        ('default_region = "us"\n', "default_region"),
        ("max_body_bytes = 10\n", "max_body_bytes"),
        ('log_level = "verbose"\n', "log_level"),
        ('colour = "red"\n', "colour"),
    ],
)
def test_invalid_file_values_raise_config_error(tmp_path: Path, toml: str, named: str) -> None:
    path = write_toml(tmp_path / "spamward.toml", toml)

    with pytest.raises(ConfigError) as raised:
        load_settings(path)

    assert "invalid settings" in raised.value.message
    assert named in raised.value.message
    assert raised.value.message == str(raised.value)


@pytest.mark.parametrize(
    ("variable", "value", "named"),
    [("SPAMWARD_PORT", "0", "port"), ("SPAMWARD_DEFAULT_REGION", "usa", "default_region")],
)
def test_invalid_environment_values_raise_config_error(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, named: str
) -> None:
    monkeypatch.setenv(variable, value)

    with pytest.raises(ConfigError, match=named):
        load_settings()


def test_invalid_toml_names_the_file(tmp_path: Path) -> None:
    path = write_toml(tmp_path / "broken.toml", "port = \n")

    with pytest.raises(ConfigError) as raised:
        load_settings(path)

    assert "cannot read settings file" in raised.value.message
    assert str(path) in raised.value.message


def test_missing_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "absent.toml"

    with pytest.raises(ConfigError, match="cannot read settings file") as raised:
        load_settings(path)

    assert str(path) in raised.value.message


def test_missing_file_from_spamward_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPAMWARD_CONFIG", str(tmp_path / "absent.toml"))

    with pytest.raises(ConfigError, match=r"absent\.toml"):
        load_settings()


@pytest.mark.usefixtures("umask_zero")
def test_session_secret_is_generated_once_with_mode_0600(tmp_path: Path) -> None:
    data_dir = tmp_path / "not" / "yet" / "there"
    settings = Settings(data_dir=data_dir)

    first = session_secret(settings)

    path = data_dir / "secret_key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(first) >= 32
    assert path.read_text(encoding="ascii").strip() == first
    assert session_secret(settings) == first
    assert session_secret(Settings(data_dir=data_dir)) == first  # as after a restart


def test_session_secrets_differ_between_data_dirs(tmp_path: Path) -> None:
    one = session_secret(Settings(data_dir=tmp_path / "one"))
    two = session_secret(Settings(data_dir=tmp_path / "two"))

    assert one != two


def test_configured_secret_key_is_used_and_nothing_is_written(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", secret_key="configured-" + "s" * 32)

    assert session_secret(settings) == "configured-" + "s" * 32
    assert not (tmp_path / "data" / "secret_key").exists()


def test_empty_secret_file_is_never_used_as_the_secret(tmp_path: Path) -> None:
    """A run that stopped between creating the file and writing it leaves it empty:
    signing sessions with an empty key would make them forgeable."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / "secret_key").touch(mode=0o600)

    secret = session_secret(Settings(data_dir=data_dir))

    assert len(secret) >= 32


def test_arguments_in_code_beat_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPAMWARD_DATABASE_URL", "sqlite:////tmp/the-developers-real.db")

    settings = Settings(database_url="sqlite:////tmp/the-test-database.db")

    assert settings.database_url == "sqlite:////tmp/the-test-database.db"


def test_an_action_lease_shorter_than_a_run_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPAMWARD_ACTION_LEASE_SECONDS", "10")
    monkeypatch.setenv("SPAMWARD_WEBHOOK_TIMEOUT_SECONDS", "8")

    with pytest.raises(ConfigError, match="action_lease_seconds"):
        load_settings()

    monkeypatch.setenv("SPAMWARD_SMTP_TIMEOUT_SECONDS", "1")
    assert load_settings().action_lease_seconds == 10
