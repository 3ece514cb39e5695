"""One typed settings object, read once at start-up and passed down.

Sources, strongest first: `SPAMWARD_*` environment variables, then the TOML file named by
`--config` or `SPAMWARD_CONFIG`, then the defaults below.
"""

from __future__ import annotations

import os
import secrets
import tomllib
from pathlib import Path
from typing import Annotated, Literal, Self

from pydantic import Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from spamward.domain.velocity import WINDOW_PATTERN, windows_with
from spamward.errors import ConfigError


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SPAMWARD_", extra="forbid")

    data_dir: Path = Path("var")
    database_url: str = "sqlite:///var/spamward.db"
    sqlite_synchronous: Literal["OFF", "NORMAL", "FULL"] = "NORMAL"
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    default_region: str = Field(default="US", pattern=r"^[A-Z]{2}$")
    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    duplicate_text_min_chars: int = Field(default=50, ge=1)
    maintenance_interval_seconds: float = Field(default=300, ge=0)  # 0: no background job
    # API keys and project settings are read again after this long (a change made by another
    # process applies within it; this process's own changes apply at once).
    fresh_seconds: float = Field(default=0.5, ge=0, le=60)
    # Group commit: decisions waiting to be recorded share one transaction, up to this many;
    # past `max_waiting`, requests wait for room (back-pressure, never an unbounded queue).
    group_commit_max_batch: int = Field(default=64, ge=1, le=1000)
    group_commit_max_waiting: int = Field(default=1024, ge=1)
    # Requests one API process handles at once; past this it answers 503 with Retry-After
    # (shedding load) instead of queueing without bound.
    max_requests_in_flight: int = Field(default=256, ge=1)
    # Each API key's request rate (per second, on average) and burst: past them, 429 with
    # Retry-After. 0: no limit. In scaled mode the limit is shared through Redis.
    api_key_rate_per_second: float = Field(default=1000, ge=0)
    api_key_burst: int = Field(default=2000, ge=1)
    secret_key: SecretStr | None = None
    secure_cookies: bool = False  # set true behind HTTPS
    log_level: Literal["debug", "info", "warning", "error"] = "warning"
    log_format: Literal["text", "json"] = "text"  # json: one object a line, for production
    metrics_enabled: bool = True  # GET /metrics (Prometheus), not behind the API key
    # Scaled mode: velocity counters shared in Redis (unset: in process memory).
    redis_url: str | None = None
    redis_prefix: str = Field(default="sw", pattern=r"^[A-Za-z0-9_.:-]{1,40}$")
    # Velocity windows besides 1m, 10m, 1h and 1d, e.g. ["5m", "1w"]: rules read them as
    # velocity.user_5m, e.posts_1w...
    velocity_windows: tuple[Annotated[str, Field(pattern=WINDOW_PATTERN)], ...] = Field(
        default=(), max_length=8
    )
    # Remediation: workers, retries, and where mail goes.
    embedded_worker: bool = True  # `serve` runs an action worker thread (embedded mode)
    action_lease_seconds: float = Field(default=60, gt=0)  # a crashed worker's claim lapses
    action_max_attempts: int = Field(default=6, ge=1, le=50)
    action_retry_base_seconds: float = Field(default=5, gt=0)  # doubles per attempt, jittered
    action_retry_max_seconds: float = Field(default=3600, gt=0)
    action_poll_seconds: float = Field(default=1, gt=0)
    # Actions a worker thread claims at once (and records in one transaction): more is
    # faster, while a slow receiver delays the rest of its batch.
    action_batch_size: int = Field(default=4, ge=1, le=100)
    webhook_timeout_seconds: float = Field(default=5, gt=0, le=60)
    smtp_host: str | None = None  # unset: e-mail actions are skipped, and say so
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_security: Literal["none", "starttls", "tls"] = "none"
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_from: str = "spamward@localhost"
    smtp_timeout_seconds: float = Field(default=10, gt=0, le=120)

    @model_validator(mode="after")
    def _lease_outlasts_a_run(self) -> Self:
        """An action's run must end before its lease does, or a live worker's action would be
        taken over and run twice (the idempotency key would then be all that saves it)."""
        longest_run = self.webhook_timeout_seconds + self.smtp_timeout_seconds
        if self.action_lease_seconds <= longest_run:
            raise ValueError(
                f"action_lease_seconds ({self.action_lease_seconds}) must exceed the longest "
                f"run: webhook_timeout_seconds + smtp_timeout_seconds ({longest_run})"
            )
        return self

    @property
    def windows(self) -> dict[str, int]:
        return windows_with(self.velocity_windows)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def load_settings(config_file: Path | None = None) -> Settings:
    """Settings from the environment over the TOML file over the defaults.

    Arguments given to `Settings(...)` in code beat the environment (pydantic's order), so
    a test that names its database never lands on the one in the developer's shell.
    """
    path = config_file or _env_path("SPAMWARD_CONFIG")
    try:
        values = tomllib.loads(path.read_text(encoding="utf-8")) if path else {}
        in_env = {name for name in values if f"SPAMWARD_{name.upper()}" in os.environ}
        return Settings(**{name: value for name, value in values.items() if name not in in_env})
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"cannot read settings file {path}: {error}") from error
    except ValidationError as error:
        raise ConfigError(f"invalid settings: {error}") from error


def session_secret(settings: Settings) -> str:
    """The configured secret, or one generated once and kept in the data directory."""
    if settings.secret_key is not None:
        return settings.secret_key.get_secret_value()
    path = settings.data_dir / "secret_key"
    stored = path.read_text(encoding="ascii").strip() if path.exists() else ""
    if len(stored) < 32:
        stored = secrets.token_urlsafe(48)
        write_private(path, stored)
    return stored


def write_private(path: Path, value: str) -> None:
    """Write a secret readable by the owner only, atomically: never a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(value + "\n")
    partial.replace(path)


def _env_path(name: str) -> Path | None:
    value = os.environ.get(name)
    return Path(value) if value else None
