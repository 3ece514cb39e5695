"""A moderator's answer to a review item, read from its form, and what the flash says."""

from __future__ import annotations

from typing import Any

from spamward.dashboard.pages import Page
from spamward.domain.entity import EntityKind
from spamward.errors import ValidationFailed
from spamward.services.lists import NewEntry
from spamward.services.reviews import Answer, Resolution

MAX_NOTE = 2000
MAX_ENTITIES = 100
DONE = {
    Resolution.APPROVE: "Approved: not spam.",
    Resolution.REJECT: "Rejected: spam.",
    Resolution.RETRY: "The action is queued again.",
}
LISTED = {"deny": "Denied", "allow": "Allowed"}
LISTABLE = {kind.value for kind in EntityKind if kind is not EntityKind.TEXT}


def answer_of(view: Page) -> Answer:
    """The form's answer: the button pressed, the note, and the entities checked (denied
    on a reject, allowed on an approve)."""
    try:
        resolution = Resolution(view.field("resolution"))
    except ValueError:
        raise ValidationFailed("choose approve, reject or retry") from None
    note = view.field("note").strip() or None
    if note is not None and len(note) > MAX_NOTE:
        raise ValidationFailed(f"the note is longer than {MAX_NOTE} characters")
    entries = _entries(view.fields("entity"))
    if resolution is Resolution.RETRY and entries:
        raise ValidationFailed("a retry changes no list: uncheck the entities")
    return Answer(
        resolution,
        note,
        deny=entries if resolution is Resolution.REJECT else [],
        allow=entries if resolution is Resolution.APPROVE else [],
    )


def _entries(checked: list[str]) -> list[NewEntry]:
    if len(checked) > MAX_ENTITIES:
        raise ValidationFailed(f"at most {MAX_ENTITIES} entities at once")
    return [_entry(field) for field in checked]


def _entry(field: str) -> NewEntry:
    """An entity checkbox's value: `kind:value`."""
    kind, _, value = field.partition(":")
    if kind not in LISTABLE or not value:
        raise ValidationFailed(f"not an entity to list: {field!r}")
    return NewEntry(EntityKind(kind), value)


def resolved_message(outcome: dict[str, Any]) -> str:
    parts = [DONE[Resolution(outcome["resolution"])]]
    for name, listed in outcome.get("listed", {}).items():
        added = ", ".join(entry["display"] for entry in listed["added"])
        if added:
            parts.append(f"{LISTED[name]}: {added}.")
        parts.extend(f"Not {name}-listed: {error['message']}." for error in listed["errors"])
    return " ".join(parts)
