"""Lists held in memory at scale: a project with 1,000,000 deny entries (URLs), loaded by a
fresh process; the memory the held lists take, the load's time, a lookup's cost, and how
soon a change made by another process is seen.

`python -m bench.held_lists` runs this bench alone (SQLite, a temporary file).
"""

from __future__ import annotations

import gc
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import insert

from bench.timing import Timing, time_calls
from spamward.domain.decision import ListName
from spamward.domain.entity import EntityKind
from spamward.runtime import Runtime, build_runtime
from spamward.services import lists
from spamward.services.lists import NewEntry
from spamward.services.projects import create_project
from spamward.settings import Settings
from spamward.storage.migrate import upgrade
from spamward.storage.models import ListEntry

ENTRIES = 1_000_000
CHUNK = 50_000
KEYS_PER_POST = 4  # a URL, its host and two parent domains: what one link looks up


@dataclass(frozen=True, slots=True)
class HeldListFigures:
    entries: int
    load_s: float
    held_mib: float  # allocated by the held lists, measured with tracemalloc
    lookup: Timing
    change_seen_s: float  # another process's deny, until this one's lookup sees it


def run_held_lists(progress: Callable[[str], None] = print) -> HeldListFigures:
    with tempfile.TemporaryDirectory(prefix="spamward-bench-lists-") as directory:
        url = f"sqlite:///{directory}/lists.db"
        project_id = _seed(url, progress)
        return _measure(url, project_id)


def _seed(url: str, progress: Callable[[str], None]) -> int:
    runtime = build_runtime(Settings(database_url=url))
    try:
        upgrade(runtime.database)
        project_id = create_project(runtime.database, "bench").id
        now = datetime.now(UTC)
        for start in range(0, ENTRIES, CHUNK):
            rows = [_row(project_id, n, now) for n in range(start, start + CHUNK)]
            with runtime.database.write() as session:
                session.execute(insert(ListEntry), rows)
        progress(f"held lists: {ENTRIES:,} deny entries stored")
        return project_id
    finally:
        runtime.close()


def _row(project_id: int, n: int, now: datetime) -> dict[str, object]:
    value = f"spam{n % 50_000}.example/offer/{n}"
    return {"project_id": project_id, "list": "deny", "kind": "url", "value": value,
            "display": value, "created_at": now, "probation": False}  # fmt: skip


def _measure(url: str, project_id: int) -> HeldListFigures:
    reader = build_runtime(Settings(database_url=url, fresh_seconds=0.05))
    writer = build_runtime(Settings(database_url=url))
    try:
        gc.collect()
        tracemalloc.start()
        started = time.perf_counter()
        held = reader.lists.size(project_id)
        load_s = time.perf_counter() - started
        held_mib = tracemalloc.get_traced_memory()[0] / 2**20
        tracemalloc.stop()
        lookup = _lookup_timing(reader, project_id)
        change_seen_s = _change_seen(reader, writer, project_id)
    finally:
        reader.close()
        writer.close()
    return HeldListFigures(held, load_s, held_mib, lookup, change_seen_s)


def _lookup_timing(reader: Runtime, project_id: int) -> Timing:
    now = datetime.now(UTC)
    domains = [(EntityKind.DOMAIN, "a.example.com"), (EntityKind.DOMAIN, "example.com")]
    posts = [
        [(EntityKind.URL, f"spam{n % 50_000}.example/offer/{n}"), *domains,
         (EntityKind.URL, f"clean.example/{n}")]
        for n in range(0, ENTRIES, ENTRIES // 1000)
    ]  # fmt: skip
    lists_held = reader.lists
    return time_calls(
        f"held lists: lookup of {KEYS_PER_POST} keys in {ENTRIES:,} entries",
        lambda keys: lists_held.listed(project_id, keys, now), posts, 20_000, warmup=1000,
    )  # fmt: skip


def _change_seen(reader: Runtime, writer: Runtime, project_id: int) -> float:
    key = (EntityKind.DOMAIN, "fresh-spam.com")
    now = datetime.now(UTC)
    held = reader.lists
    held.listed(project_id, [key], now)
    lists.add_to_list(writer, project_id, ListName.DENY, NewEntry(*key), "bench")
    started = time.perf_counter()
    while not held.listed(project_id, [key], now):
        time.sleep(0.001)
    return time.perf_counter() - started


def print_held_lists(figures: HeldListFigures) -> None:
    print(f"held lists: {figures.entries:,} entries loaded in {figures.load_s:.1f} s, "
          f"{figures.held_mib:.0f} MiB allocated (tracemalloc)")  # fmt: skip
    print(f"{figures.lookup.name}: median {figures.lookup.median_us:.1f} µs, "
          f"p99 {figures.lookup.p99_us:.1f} µs")  # fmt: skip
    print(f"a deny made by another process seen after {figures.change_seen_s * 1000:.0f} ms "
          "(fresh_seconds 0.05)")  # fmt: skip


if __name__ == "__main__":
    print_held_lists(run_held_lists())
