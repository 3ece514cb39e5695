"""Each project's Allow/Deny/Ignore entries held in process memory, so that deciding reads
no list from the database, whatever the lists' size.

An entry is held as the 64-bit hash of its (kind, value), mapped to its list; entries that
expire also keep their end. At 1,000,000 entries that is about 90 MiB, where the strings
themselves would take twice as much. (Python's string hash is keyed per process, so two
keys share a hash with a chance of one in 2^64 / entries: negligible.)

The lists stay current through `list_changes`, which triggers on `list_entries` fill on
every write: a project's changes since the last one applied are read at most every
`max_age` seconds, and at once after this process commits a list change. A process away
from a project for longer than changes are kept loads its lists again whole.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from spamward.domain.decision import ListName
from spamward.domain.entity import EntityKind
from spamward.storage.db import Database
from spamward.storage.models import ListChange, ListEntry

EntityKey = tuple[EntityKind, str]
KEEP_CHANGES_SECONDS = 3600  # the retention job deletes older changes
_RELOAD_AFTER_SECONDS = KEEP_CHANGES_SECONDS / 2  # away longer: changes may be gone
_LISTS = tuple(ListName)
_CODES = {name.value: code for code, name in enumerate(_LISTS)}
_BATCH = 500  # changed keys read back at once


def _hash(kind: str, value: str) -> int:
    return hash((kind, value))


@dataclass
class _Held:
    lists: dict[int, int] = field(default_factory=dict)  # key hash -> list code
    ends: dict[int, float] = field(default_factory=dict)  # key hash -> expiry (epoch s)
    last_change: int = 0
    checked_at: float = float("-inf")  # monotonic
    generation: int = -1
    lock: threading.Lock = field(default_factory=threading.Lock)

    def look_up(self, keys: Iterable[EntityKey], now: float) -> dict[EntityKey, ListName]:
        found: dict[EntityKey, ListName] = {}
        for key in keys:
            hashed = _hash(key[0].value, key[1])
            code = self.lists.get(hashed)
            if code is not None and self.ends.get(hashed, now + 1) > now:
                found[key] = _LISTS[code]
        return found

    def put(self, kind: str, value: str, name: str | None, ends: datetime | None) -> None:
        hashed = _hash(kind, value)
        if name is None:
            self.lists.pop(hashed, None)
            self.ends.pop(hashed, None)
            return
        self.lists[hashed] = _CODES[name]
        if ends is None:
            self.ends.pop(hashed, None)
        else:
            self.ends[hashed] = ends.timestamp()


class HeldLists:
    def __init__(self, database: Database, max_age: float) -> None:
        self._database = database
        self._max_age = max_age
        self._projects: dict[int, _Held] = {}
        self._lock = threading.Lock()
        self._generation = 0  # moved on when this process commits a list change
        database.on_commit_to(frozenset({"list_entries"}), self.forget)

    def listed(
        self, project_id: int, keys: Iterable[EntityKey], now: datetime
    ) -> Mapping[EntityKey, ListName]:
        """The list each of `keys` is on now; keys on no list are left out."""
        held = self._current(project_id)
        return held.look_up(keys, now.timestamp())

    def size(self, project_id: int) -> int:
        return len(self._current(project_id).lists)

    def forget(self) -> None:
        self._generation += 1

    def due(self, project_id: int) -> bool:
        """Whether the project's next look-up reads the database first (its first, which
        loads the lists whole, among them)."""
        held = self._projects.get(project_id)
        return held is None or self._is_due(held, time.monotonic())

    def refresh(self, project_id: int) -> None:
        """Bring the project's lists up to date if they are due, before the caller takes a
        database connection: the refresh reads on a connection of its own."""
        self._current(project_id)

    def _current(self, project_id: int) -> _Held:
        """The project's lists, refreshed when `max_age` old or when this process changed
        them. Only a change of this process's own is waited for: while one thread reads
        another process's changes, the others go on with the lists as held (at most
        `max_age` old), rather than queue behind it holding their database connections."""
        held = self._projects.get(project_id) or self._new(project_id)
        clock = time.monotonic()
        if not self._is_due(held, clock):
            return held
        wait = held.generation != self._generation  # also true before the first load
        if not held.lock.acquire(blocking=wait):
            return held
        try:
            if self._is_due(held, clock):
                self._refresh(project_id, held, clock)
        finally:
            held.lock.release()
        return held

    def _is_due(self, held: _Held, clock: float) -> bool:
        return held.generation != self._generation or clock - held.checked_at >= self._max_age

    def _new(self, project_id: int) -> _Held:
        with self._lock:
            return self._projects.setdefault(project_id, _Held())

    def _refresh(self, project_id: int, held: _Held, clock: float) -> None:
        generation = self._generation  # changes committed after this are read next time
        with self._database.read() as session:
            if clock - held.checked_at > _RELOAD_AFTER_SECONDS:
                _load_all(session, project_id, held)
            else:
                _apply_changes(session, project_id, held)
        held.checked_at, held.generation = clock, generation


def _load_all(session: Session, project_id: int, held: _Held) -> None:
    # The last change first: one made during the load is applied again next time (harmless).
    last = session.scalar(
        select(func.max(ListChange.id)).where(ListChange.project_id == project_id)
    )
    fresh = _Held()
    rows = session.execute(
        select(ListEntry.kind, ListEntry.value, ListEntry.list, ListEntry.expires_at).where(
            ListEntry.project_id == project_id
        )
    )
    for kind, value, name, ends in rows:
        fresh.put(kind, value, name, ends)
    held.lists, held.ends, held.last_change = fresh.lists, fresh.ends, last or 0


def _apply_changes(session: Session, project_id: int, held: _Held) -> None:
    changes = session.execute(
        select(ListChange.id, ListChange.kind, ListChange.value)
        .where(ListChange.project_id == project_id, ListChange.id > held.last_change)
        .order_by(ListChange.id)
    ).all()
    if not changes:
        return
    keys = sorted({(kind, value) for _, kind, value in changes})
    for start in range(0, len(keys), _BATCH):
        _read_back(session, project_id, held, keys[start : start + _BATCH])
    held.last_change = changes[-1][0]


def _read_back(session: Session, project_id: int, held: _Held, keys: list[tuple[str, str]]) -> None:
    """The changed keys' entries as they are now: put back, or dropped when deleted."""
    current = {
        (kind, value): (name, ends)
        for kind, value, name, ends in session.execute(
            select(ListEntry.kind, ListEntry.value, ListEntry.list, ListEntry.expires_at).where(
                ListEntry.project_id == project_id,
                ListEntry.value.in_([value for _, value in keys]),
            )
        )
    }
    for kind, value in keys:
        name, ends = current.get((kind, value), (None, None))
        held.put(kind, value, name, ends)
