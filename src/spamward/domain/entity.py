"""Entities: the spam strings extracted from content."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

# Keys are indexed columns; longer URLs are cut here so every kind of database takes them.
MAX_ENTITY_CHARS = 600


class EntityKind(StrEnum):
    DOMAIN = "domain"
    URL = "url"
    EMAIL = "email"
    PHONE = "phone"
    TEXT = "text"  # the fingerprint of a post long enough to count as duplicate content

    @property
    def plural(self) -> str:
        return f"{self.value}s"


@dataclass(frozen=True, slots=True)
class Entity:
    """One extracted entity.

    `value` is the canonical key it is counted and listed under (punycode domains, E.164
    phones); `display` is what a moderator reads; `domain` is the host (punycode) of a
    domain, URL or email, so that denying a domain covers everything under it.
    """

    kind: EntityKind
    value: str
    display: str
    domain: str | None = None
    is_shortener: bool = False
    # A `text` entity's near-duplicate keys (text/shingles.py cluster_keys), for bursts.
    cluster_keys: tuple[str, ...] = ()

    @property
    def key(self) -> tuple[EntityKind, str]:
        return (self.kind, self.value)


def group_by_kind(entities: tuple[Entity, ...]) -> dict[EntityKind, list[Entity]]:
    grouped: dict[EntityKind, list[Entity]] = {kind: [] for kind in EntityKind}
    for entity in entities:
        grouped[entity.kind].append(entity)
    return grouped
