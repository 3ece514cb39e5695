"""Looking rows up by (kind, value) keys through the (project_id, kind, value) index.

SQLite does not use an index for a row-value `(kind, value) IN (...)`: it reads every row of
the project. One `kind = ? AND value IN (...)` select per kind, joined by UNION ALL, is an
index search on SQLite and PostgreSQL alike. Statements are built once per shape (the kinds
and how many values of each).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from spamward.domain.entity import EntityKind

EntityKey = tuple[EntityKind, str]


def keyed_sql(base: str, keys: Iterable[EntityKey]) -> tuple[str, dict[str, Any]]:
    """`base` (a select whose WHERE ends open for `AND ...`, reading `:project_id`) for the
    keys, as driver SQL: one index search per kind, joined by UNION ALL; and its parameters
    besides the project's. Empty SQL for no keys."""
    values: dict[str, list[str]] = defaultdict(list)
    for kind, value in keys:
        values[kind.value].append(value)
    parameters: dict[str, Any] = {}
    for name, listed in values.items():
        parameters[f"kind_{name}"] = name
        parameters.update((f"{name}_{n}", value) for n, value in enumerate(listed))
    sizes = tuple(sorted((name, len(listed)) for name, listed in values.items()))
    return (_keyed_sql(base, sizes) if sizes else ""), parameters


@lru_cache(maxsize=1024)
def _keyed_sql(base: str, sizes: tuple[tuple[str, int], ...]) -> str:
    return " UNION ALL ".join(
        f"{base} AND kind = :kind_{name} AND value IN "
        f"({', '.join(f':{name}_{n}' for n in range(count))})"
        for name, count in sizes
    )
