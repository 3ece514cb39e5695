"""extract(text) -> entities: the one entry point the engine and the CLI use."""

from __future__ import annotations

from dataclasses import replace

from spamward.domain.entity import MAX_ENTITY_CHARS, Entity, EntityKind
from spamward.text.domains import is_shortener
from spamward.text.emails import find_emails
from spamward.text.normalise import normalise
from spamward.text.phones import find_phones
from spamward.text.urls import FoundUrl, find_urls

_ORDER = {kind: rank for rank, kind in enumerate(EntityKind)}


def extract(text: str, region: str) -> tuple[Entity, ...]:
    """Every entity in `text`, grouped by kind, each once, in order of first appearance."""
    clean = normalise(text).text
    found: dict[tuple[EntityKind, str], Entity] = {}
    masked = list(clean)
    for email in find_emails(clean):
        domain = email.host.key
        _add(found, Entity(EntityKind.EMAIL, email.value, email.value, domain))
        masked[email.start : email.end] = " " * (email.end - email.start)
    for url in find_urls(clean):
        for entity in url_entities(url):
            _add(found, entity)
        masked[url.start : url.end] = " " * (url.end - url.start)
    # Digits inside URLs and addresses are not phone numbers: search the text without them.
    for phone in find_phones("".join(masked), region):
        _add(found, Entity(EntityKind.PHONE, phone.e164, phone.written))
    return tuple(sorted(found.values(), key=lambda entity: _ORDER[entity.kind]))


def url_entities(url: FoundUrl) -> list[Entity]:
    if url.host is None:
        return [Entity(EntityKind.URL, url.display, url.display)]
    host = url.host
    shortener = is_shortener(host.registrable_key)
    url_key = host.key + url.display[len(host.display) :]
    return [
        Entity(
            EntityKind.DOMAIN,
            host.registrable_key,
            host.registrable_display,
            host.registrable_key,
            shortener,
        ),
        Entity(EntityKind.URL, url_key, url.display, host.key, shortener),
    ]


def _add(found: dict[tuple[EntityKind, str], Entity], entity: Entity) -> None:
    if len(entity.value) > MAX_ENTITY_CHARS or len(entity.display) > MAX_ENTITY_CHARS:
        value, display = entity.value[:MAX_ENTITY_CHARS], entity.display[:MAX_ENTITY_CHARS]
        entity = replace(entity, value=value, display=display)
    found.setdefault(entity.key, entity)
