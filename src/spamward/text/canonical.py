"""Canonical keys for values a moderator types (list entries), matching extraction's keys."""

from __future__ import annotations

import phonenumbers

from spamward.domain.entity import Entity, EntityKind
from spamward.errors import ValidationFailed
from spamward.text.emails import find_emails
from spamward.text.extract import url_entities
from spamward.text.fingerprint import fingerprint_normalised
from spamward.text.normalise import normalise
from spamward.text.urls import FoundUrl, find_bare_links, find_scheme_links


def canonical_entity(kind: EntityKind, raw: str, region: str) -> Entity:
    """The entity `raw` names, keyed exactly as extraction would key it."""
    text = normalise(raw).text.strip()
    entity = _PARSERS[kind](text, region)
    if entity is None:
        raise ValidationFailed(f"{raw!r} is not a valid {kind.value}")
    return entity


def _domain(text: str, region: str) -> Entity | None:
    whole = _whole_url(text.removeprefix("*.").rstrip("/").rstrip("."))
    if whole is None or whole.host is None or "/" in whole.display:
        return None
    host = whole.host
    return Entity(EntityKind.DOMAIN, host.key, host.display, host.key)


def _url(text: str, region: str) -> Entity | None:
    whole = _whole_url(text)
    return url_entities(whole)[-1] if whole else None


def _email(text: str, region: str) -> Entity | None:
    found = next(find_emails(text), None)
    if found is None or (found.start, found.end) != (0, len(text)):
        return None
    return Entity(EntityKind.EMAIL, found.value, found.value, found.host.key)


def _phone(text: str, region: str) -> Entity | None:
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return Entity(EntityKind.PHONE, e164, text)


def _whole_url(text: str) -> FoundUrl | None:
    finder = find_scheme_links if "//" in text else find_bare_links
    found = next(finder(text), None)
    if found is None or (found.start, found.end) != (0, len(text)) or found.mailto:
        return None
    return found


def _text(text: str, region: str) -> Entity | None:
    """A duplicate text is listed by the fingerprint of the text a moderator pastes."""
    fingerprint = fingerprint_normalised(text, min_chars=1)
    return Entity(EntityKind.TEXT, fingerprint.key, fingerprint.sample) if fingerprint else None


_PARSERS = {
    EntityKind.DOMAIN: _domain,
    EntityKind.URL: _url,
    EntityKind.EMAIL: _email,
    EntityKind.PHONE: _phone,
    EntityKind.TEXT: _text,
}
