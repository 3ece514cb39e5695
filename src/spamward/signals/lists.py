"""List status of an event's entities.

The engine asks a `ListReader` (storage-backed in production) which of a set of keys are
listed. Coverage is decided here: a URL is denied when its own entry is, or when its host
or any parent domain down to the registrable one is; an e-mail likewise through its domain.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Protocol

from spamward.domain.decision import ListName
from spamward.domain.entity import Entity, EntityKind
from spamward.text.domains import parent_domains

EntityKey = tuple[EntityKind, str]


class ListReader(Protocol):
    def listed(self, keys: Iterable[EntityKey]) -> Mapping[EntityKey, ListName]:
        """The list each of `keys` is on; keys on no list are left out."""
        ...


class EmptyLists:
    """No list at all: for judging text outside any project."""

    def listed(self, keys: Iterable[EntityKey]) -> Mapping[EntityKey, ListName]:
        return {}


def list_status(entities: tuple[Entity, ...], reader: ListReader) -> dict[EntityKey, ListName]:
    covering = {entity.key: _covering_keys(entity) for entity in entities}
    listed = reader.listed({key for keys in covering.values() for key in keys})
    status: dict[EntityKey, ListName] = {}
    for entity_key, keys in covering.items():
        hit = next((listed[key] for key in keys if key in listed), None)
        if hit is not None:
            status[entity_key] = hit
    return status


def _covering_keys(entity: Entity) -> list[EntityKey]:
    keys: list[EntityKey] = [entity.key]
    if entity.domain is not None:
        keys += [(EntityKind.DOMAIN, domain) for domain in parent_domains(entity.domain)]
    return keys
