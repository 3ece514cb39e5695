"""Fixtures: every storage test runs on SQLite and on PostgreSQL.

PostgreSQL comes from SPAMWARD_TEST_POSTGRES_URL (default: the local `test` database).
Each xdist worker migrates its own schema once; each test starts from truncated tables.
Without PostgreSQL the postgres cases skip, except under CI=true, where they fail.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import psycopg
import pytest
import redis
from bench.private_services import (
    REDIS_SERVER,
    PrivatePostgres,
    PrivateRedis,
    postgres_available,
)
from sqlalchemy import text
from starlette.testclient import TestClient

from spamward.app import create_app
from spamward.runtime import Runtime, build_runtime
from spamward.services.projects import create_api_key, create_project
from spamward.settings import Settings
from spamward.storage.db import Database
from spamward.storage.migrate import upgrade
from spamward.storage.models import Base

POSTGRES_URL = os.environ.get(
    "SPAMWARD_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("SPAMWARD_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
IN_CI = os.environ.get("CI", "").lower() == "true"

EXAMPLE_POST = (
    "Earn bitcoin today by completing paid surveys. Want to receive up to 10 bitcoin for "
    "answering simple questions? Visithttps://bit.ly/3iXhvjG or call 555-123-4567"
)


CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"


def corpus_file(*parts: str) -> Path:
    """A file of the shared peer suites and corpora (read by tests, never by the product)."""
    path = CORPORA.joinpath(*parts)
    if not path.exists():
        message = f"shared corpus file {path} is missing"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return path


@dataclass
class SuiteScore:
    suite: str
    passed: int
    total: int
    target: float  # the share of cases that must pass, 0..1

    @property
    def share(self) -> float:
        return self.passed / self.total if self.total else 1.0

    def line(self) -> str:
        verdict = "ok" if self.share >= self.target else "BELOW TARGET"
        return (
            f"{self.suite:<44} {self.passed:>5}/{self.total:<5} {self.share:7.2%}"
            f"   target {self.target:.0%}  {verdict}"
        )


_SCORES: list[SuiteScore] = []
ScoreRecorder = Callable[[str, int, int, float], SuiteScore]


@pytest.fixture
def suite_score(request: pytest.FixtureRequest) -> ScoreRecorder:
    """Record a peer suite's score; the run prints every score at the end (also under xdist,
    whose workers send user properties back with each test report)."""

    def record(suite: str, passed: int, total: int, target: float) -> SuiteScore:
        request.node.user_properties.append(("suite_score", (suite, passed, total, target)))
        return SuiteScore(suite, passed, total, target)

    return record


_FUZZED: dict[str, int] = {}  # test id: requests schemathesis sent


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    for name, value in report.user_properties:
        if name == "suite_score" and report.when == "call":
            suite, passed, total, target = cast(tuple[str, int, int, float], value)
            _SCORES.append(SuiteScore(suite, passed, total, target))
        if name == "fuzz_requests" and report.when == "teardown":
            _FUZZED[report.nodeid] = cast(int, value)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _SCORES:
        terminalreporter.section("peer suite scores")
        for score in sorted(_SCORES, key=lambda s: s.suite):
            terminalreporter.write_line(score.line())
    if _FUZZED:
        counts = _FUZZED.values()
        terminalreporter.section("API fuzzing (schemathesis)")
        terminalreporter.write_line(
            f"{sum(counts)} requests over {len(counts)} operation runs, "
            f"{min(counts)} to {max(counts)} per operation"
        )


def pytest_sessionstart(session: pytest.Session) -> None:
    """In CI the services are part of the contract: a missing one fails the whole run."""
    if not IN_CI:
        return
    try:
        psycopg.connect(POSTGRES_URL, connect_timeout=3).close()
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except (psycopg.OperationalError, redis.RedisError) as error:
        raise pytest.UsageError(f"CI=true but a service is missing: {error}") from error


def unavailable(service: str, error: Exception) -> None:
    message = f"{service} is not reachable: {error}"
    if IN_CI:
        pytest.fail(f"{message} (CI=true: services must be present)")
    pytest.skip(message)


@pytest.fixture(scope="session")
def worker_name(worker_id: str) -> str:
    return worker_id if worker_id != "master" else "main"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file that each test copies: migrating once is the slow part."""
    path = tmp_path_factory.mktemp("sqlite") / "template.db"
    database = Database(Settings(database_url=f"sqlite:///{path}"))
    upgrade(database)
    database.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_schema(worker_name: str) -> Iterator[str]:
    # Unique even across parallel runs.
    with throwaway_schema(f"spamward_test_{worker_name}_{os.getpid()}") as schema:
        database = Database(Settings(database_url=postgres_url(schema)))
        upgrade(database)
        database.dispose()
        yield schema


@contextmanager
def throwaway_schema(schema: str) -> Iterator[str]:
    """An empty PostgreSQL schema named `schema`, dropped afterwards (the test is skipped,
    or fails under CI=true, when PostgreSQL is unreachable)."""
    try:
        with psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=3) as connection:
            connection.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
            connection.execute(f"CREATE SCHEMA {schema}")
    except psycopg.OperationalError as error:
        unavailable("PostgreSQL", error)
    try:
        yield schema
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
            connection.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def postgres_url(schema: str) -> str:
    base = POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://", 1)
    separator = "&" if "?" in base else "?"
    return f"{base}{separator}options=-csearch_path%3D{schema}"


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def settings(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Settings:
    data_dir = tmp_path / "var"
    if backend == "sqlite":
        database_file = tmp_path / "spamward.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), database_file)
        url = f"sqlite:///{database_file}"
    else:
        url = postgres_url(request.getfixturevalue("postgres_schema"))
        _truncate_all(url)
    return Settings(
        database_url=url,
        data_dir=data_dir,
        secret_key="test-secret-" + "x" * 32,
        maintenance_interval_seconds=0,  # tests run the retention job themselves, in order
        embedded_worker=False,  # and the action worker, when they mean to
    )


def _truncate_all(url: str) -> None:
    database = Database(Settings(database_url=url))
    tables = ", ".join(table.name for table in Base.metadata.sorted_tables)
    with database.write() as session:
        session.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    database.dispose()


class Clock:
    """The time a test runtime sees; tests move it forward instead of sleeping."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 3, 2, 12, 0, tzinfo=UTC))


@pytest.fixture
def runtime(settings: Settings, clock: Clock) -> Iterator[Runtime]:
    built = build_runtime(settings, clock)
    yield built
    built.close()


@pytest.fixture
def client(settings: Settings, runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(settings, runtime)) as test_client:
        yield test_client


@dataclass(frozen=True)
class ApiProject:
    id: int
    name: str
    key: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}


def make_project(runtime: Runtime, name: str) -> ApiProject:
    project = create_project(runtime.database, name)
    return ApiProject(project.id, project.name, create_api_key(runtime.database, name).token)


@pytest.fixture
def project(runtime: Runtime) -> ApiProject:
    return make_project(runtime, "site-a")


@pytest.fixture
def other_project(runtime: Runtime) -> ApiProject:
    return make_project(runtime, "site-b")


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    """A Redis of this test's own, to stop and start."""
    if not REDIS_SERVER.exists():
        unavailable("redis-server", FileNotFoundError(str(REDIS_SERVER)))
    server = PrivateRedis(tmp_path)
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture
def private_postgres() -> Iterator[PrivatePostgres]:
    """A PostgreSQL cluster of this test's own, to stop and start."""
    if not postgres_available():
        unavailable("PostgreSQL server binaries", FileNotFoundError("/usr/lib/postgresql"))
    server = PrivatePostgres()
    try:
        server.create()
        yield server
    finally:
        server.remove()
