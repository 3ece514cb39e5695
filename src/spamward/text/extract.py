"""extract(text) -> entities: the one entry point the engine and the CLI use.

Stages run on the normalised text, each hiding what it found from the next: links with a
scheme (so an address inside `http://user@host` is not an e-mail), e-mail addresses, bare
domains (so the domain of an address is not a link), links spelled out letter by letter,
then phone numbers (so digits in links and addresses are not numbers).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from spamward.domain.entity import MAX_ENTITY_CHARS, Entity, EntityKind
from spamward.text.domains import is_shortener
from spamward.text.emails import find_emails
from spamward.text.fingerprint import fingerprint_normalised
from spamward.text.normalise import normalise
from spamward.text.phones import find_phones
from spamward.text.shingles import cluster_keys
from spamward.text.urls import FoundUrl, find_bare_links, find_scheme_links, find_spaced_links

_ORDER = {kind: rank for rank, kind in enumerate(EntityKind)}


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One place an entity is written: `original[start:end]` as the author wrote it."""

    entity: Entity
    start: int
    end: int


def extract(text: str, region: str, min_text_chars: int = 50) -> tuple[Entity, ...]:
    """Every entity in `text`, grouped by kind, each once, in order of first appearance."""
    unique: dict[tuple[EntityKind, str], Entity] = {}
    for occurrence in find_occurrences(text, region, min_text_chars):
        unique.setdefault(occurrence.entity.key, occurrence.entity)
    return tuple(sorted(unique.values(), key=lambda entity: _ORDER[entity.kind]))


def find_occurrences(text: str, region: str, min_text_chars: int = 50) -> list[Occurrence]:
    """Every entity occurrence, in order of position in the original text; the duplicate-
    text fingerprint, when the text is long enough, covers the whole text."""
    normalised = normalise(text)
    fingerprint = fingerprint_normalised(normalised.text, min_text_chars)
    stages = _Stages(normalised.text)
    for link in find_scheme_links(stages.text):
        stages.keep(link.start, link.end, url_entities(link))
    stages.hide_kept()
    for email in find_emails(stages.text):
        entity = Entity(EntityKind.EMAIL, email.value, email.value, email.host.key)
        stages.keep(email.start, email.end, [entity])
    stages.hide_kept()
    for link in find_bare_links(stages.text):
        stages.keep(link.start, link.end, url_entities(link))
    stages.hide_kept()
    for link in find_spaced_links(stages.text):
        stages.keep(link.start, link.end, url_entities(link))
    stages.hide_kept()
    for phone in find_phones(stages.text, region):
        stages.keep(phone.start, phone.end, [Entity(EntityKind.PHONE, phone.e164, phone.written)])
    occurrences = [
        Occurrence(entity, *normalised.original_span(start, end))
        for start, end, entity in stages.found
    ]
    if fingerprint is not None:
        keys = cluster_keys(list(fingerprint.words))
        entity = Entity(EntityKind.TEXT, fingerprint.key, fingerprint.sample, cluster_keys=keys)
        occurrences.append(Occurrence(entity, 0, len(text)))
    return sorted(occurrences, key=lambda occurrence: occurrence.start)


class _Stages:
    """The text each stage searches, with what earlier stages found blanked out."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.found: list[tuple[int, int, Entity]] = []
        self._to_hide: list[tuple[int, int]] = []

    def keep(self, start: int, end: int, entities: Iterable[Entity]) -> None:
        self.found.extend((start, end, _within_limits(entity)) for entity in entities)
        self._to_hide.append((start, end))

    def hide_kept(self) -> None:
        """Blank what this stage found, in one pass over the text."""
        if not self._to_hide:
            return
        pieces, position = [], 0
        for start, end in self._to_hide:
            pieces += [self.text[position:start], " " * (end - start)]
            position = end
        self.text = "".join([*pieces, self.text[position:]])
        self._to_hide.clear()


def url_entities(link: FoundUrl) -> list[Entity]:
    """The entities a link stands for: domain and URL, or the address of a mailto: link."""
    if link.mailto is not None:
        if link.host is None:
            return []
        return [Entity(EntityKind.EMAIL, link.mailto, link.mailto, link.host.key)]
    if link.host is None:
        return [Entity(EntityKind.URL, link.display, link.display)]
    host = link.host
    shortener = is_shortener(host.registrable_key)
    url_key = host.key + link.display[len(host.display) :]
    return [
        Entity(
            EntityKind.DOMAIN,
            host.registrable_key,
            host.registrable_display,
            host.registrable_key,
            shortener,
        ),
        Entity(EntityKind.URL, url_key, link.display, host.key, shortener),
    ]


def _within_limits(entity: Entity) -> Entity:
    if len(entity.value) <= MAX_ENTITY_CHARS and len(entity.display) <= MAX_ENTITY_CHARS:
        return entity
    value, display = entity.value[:MAX_ENTITY_CHARS], entity.display[:MAX_ENTITY_CHARS]
    return replace(entity, value=value, display=display)
