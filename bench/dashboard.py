"""The moderator dashboard on a large project: 500,000 entities and 1,000,000 posts by
100,000 users (bench/dashboard_data.py), loaded in bulk (bench/dashboard_load.py) into
PostgreSQL and SQLite, then every page timed as a logged-in admin sees it, through a real
`spamward serve` (bench/dashboard_pages.py). The issue's target: every page under 200 ms.

The server runs without its maintenance job and its embedded action worker, so that only
the pages' requests reach the database while they are timed.

`python -m bench.dashboard` runs this bench alone.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bench.dashboard_data import ENTITIES, POSTS, Plan, plan
from bench.dashboard_load import EMAIL, PASSWORD, load
from bench.dashboard_pages import (
    CALLS,
    ROUTES,
    SLOW_CALLS,
    SLOW_PAGE_S,
    TARGET_MS,
    TIMEOUT_S,
    WARMUPS,
    PageTiming,
    time_pages,
)
from bench.dashboard_rows import external_user
from bench.databases import postgres_url, sqlite_url
from bench.server import environment_without_settings, serving
from bench.tables import Table, aligned
from spamward.settings import Settings
from spamward.storage.db import Database

POSTGRES_SCHEMA = "spamward_bench_dash"
SERVER_SETTINGS = {
    "SPAMWARD_MAINTENANCE_INTERVAL_SECONDS": "0",
    "SPAMWARD_EMBEDDED_WORKER": "false",
}


@dataclass(frozen=True, slots=True)
class DatabaseRun:
    database: str
    load_s: float  # migrations, project, rows, indexes and statistics
    rows: dict[str, int]  # rows loaded, by table
    load_average: float  # the machine's 1-minute load average as the timing began
    pages: list[PageTiming]


@dataclass(frozen=True, slots=True)
class DashboardFigures:
    plan_s: float  # drawing the posts and counting them, once for both databases
    runs: list[DatabaseRun]
    skipped: list[str]


def run_dashboard(progress: Callable[[str], None]) -> DashboardFigures:
    entities = sum(ENTITIES.values())
    progress(f"Dashboard: planning {POSTS:,} posts and {entities:,} entities")
    started = time.perf_counter()
    planned = plan(datetime.now(UTC))
    plan_s = time.perf_counter() - started
    runs, skipped = [], []
    for name, url_of in _databases():
        progress(f"Dashboard on {name}: loading")
        with url_of as url:
            if url is None:
                skipped.append(f"Dashboard ({name}): not reachable")
            else:
                runs.append(_measure(name, url, planned, progress))
    return DashboardFigures(plan_s, runs, skipped)


def _databases() -> Iterator[tuple[str, AbstractContextManager[str | None]]]:
    yield "PostgreSQL", postgres_url(POSTGRES_SCHEMA)
    yield "SQLite", sqlite_url()


def _measure(name: str, url: str, planned: Plan, progress: Callable[[str], None]) -> DatabaseRun:
    database = Database(Settings(database_url=url))
    try:
        loaded = load(database, planned, progress)
    finally:
        database.dispose()
    progress(f"  loaded in {loaded.seconds:.0f} s; timing the pages")
    load_average = os.getloadavg()[0]
    pages = time_pages(lambda: _server(url), EMAIL, PASSWORD, _paths(planned), progress)
    return DatabaseRun(name, loaded.seconds, loaded.rows, load_average, pages)


@contextmanager
def _server(url: str) -> Iterator[str]:
    """`spamward serve` on the database at `url`: its base URL."""
    with tempfile.TemporaryDirectory(prefix="spamward-dashboard-") as workdir:
        environment = _server_environment(url, Path(workdir))
        with serving(environment, Path(workdir) / "server.log") as (_, port):
            yield f"http://127.0.0.1:{port}"


def _server_environment(url: str, workdir: Path) -> dict[str, str]:
    return (
        environment_without_settings()
        | SERVER_SETTINGS
        | {
            "SPAMWARD_DATABASE_URL": url,
            "SPAMWARD_DATA_DIR": str(workdir / "var"),
        }
    )


def _paths(planned: Plan) -> list[tuple[str, str]]:
    """Each route with the most posted unlisted entity and the busiest user in it."""
    entity, user = planned.biggest_entity(), external_user(planned.busiest_actor())
    return [(route, route.format(id=entity, user_id=user)) for route in ROUTES]


# Report


def dashboard_sections(figures: DashboardFigures) -> list[tuple[str, Table, list[str]]]:
    """Per database: a title, the pages' table, and notes."""
    return [(_title(run), _table(run), _lines(figures, run)) for run in figures.runs]


def _title(run: DatabaseRun) -> str:
    return (
        f"Dashboard pages on {run.database}: {run.rows['entities']:,} entities, "
        f"{run.rows['events']:,} posts; ms per page, {CALLS} GETs after {WARMUPS} warm-ups"
    )


def _table(run: DatabaseRun) -> Table:
    header = ["page", "status", "first ms", "calls", "p50 ms", "p95 ms", "max ms", "KiB",
              f"p95 < {TARGET_MS:.0f} ms"]  # fmt: skip
    rows = [
        [page.path, str(page.status), f"{page.first_ms:.0f}", str(page.calls),
         f"{page.median_ms:.1f}", f"{page.p95_ms:.1f}", f"{page.max_ms:.1f}", f"{page.kib:.1f}",
         page.target]
        for page in run.pages
    ]  # fmt: skip
    return header, rows


def _lines(figures: DashboardFigures, run: DatabaseRun) -> list[str]:
    loaded = ", ".join(f"{table} {count:,}" for table, count in run.rows.items() if count)
    over = [page.path for page in run.pages if page.target != "ok"]
    return [
        f"data: planned in {figures.plan_s:.0f} s (once for both databases), loaded in "
        f"{run.load_s:.0f} s: {loaded}",
        f"load average {run.load_average:.1f} on {os.cpu_count()} CPUs as the timing began",
        f"first ms: a page's first load, the server's caches cold; a page slower than "
        f"{SLOW_PAGE_S:.0f} s there gets {SLOW_CALLS} calls and no warm-up; a request past "
        f"{TIMEOUT_S:.0f} s is abandoned, and the server restarted for the next pages",
        f"not ok: {', '.join(over)}" if over else "every page ok",
    ]


def render_dashboard(figures: DashboardFigures) -> str:
    lines: list[str] = []
    for title, table, notes in dashboard_sections(figures):
        lines += [title, aligned(table), *(f"  {note}" for note in notes), ""]
    return "\n".join(lines + figures.skipped)


def main() -> None:
    figures = run_dashboard(lambda step: print(f"... {step}", flush=True))
    print()
    print(render_dashboard(figures))


if __name__ == "__main__":
    main()
