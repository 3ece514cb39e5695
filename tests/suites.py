"""Shared helpers for the peer-suite tests: reading cases and what our extractor found."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from spamward.domain.entity import EntityKind
from spamward.text.extract import Occurrence, find_occurrences

LINK_KINDS = (EntityKind.URL, EntityKind.EMAIL)


def cases(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            yield json.loads(line)


def links(text: str, kinds: tuple[EntityKind, ...] = LINK_KINDS) -> list[Occurrence]:
    """Each link (URL or address) once, in order, as our extractor finds it."""
    return [o for o in find_occurrences(text, "US") if o.entity.kind in kinds]


def written(text: str, occurrence: Occurrence) -> str:
    return text[occurrence.start : occurrence.end]
