"""Allow, deny or ignore the entities a moderator picked in the Spam Manager, by id.

Each is listed under the key extraction gave it (a duplicate text by its fingerprint, a
URL on an IP address as it was found), through the same list service the API uses.
"""

from __future__ import annotations

from collections.abc import Sequence

from spamward.domain.decision import ListName
from spamward.domain.entity import EntityKind
from spamward.errors import NotFound, SpamwardError
from spamward.runtime import Runtime
from spamward.services import lists
from spamward.services.lists import BulkOutcome, ListEntryView, NewEntry
from spamward.storage.repositories.spam_entities import entities_by_id


def list_entity(
    runtime: Runtime, project_id: int, list_name: ListName, entity_id: int, who: str
) -> ListEntryView:
    """List one entity; NotFound when it is not the project's."""
    found = _entries(runtime, project_id, [entity_id])
    if entity_id not in found:
        raise NotFound("no such entity")
    return lists.add_to_list(runtime, project_id, list_name, found[entity_id], who)


def list_entities(
    runtime: Runtime, project_id: int, list_name: ListName, entity_ids: Sequence[int], who: str
) -> BulkOutcome:
    """List many entities in one transaction; unknown ids and refused ones are reported
    (by their index in `entity_ids`), the others listed."""
    found = _entries(runtime, project_id, entity_ids)
    known = [index for index, entity_id in enumerate(entity_ids) if entity_id in found]
    entries = [found[entity_ids[index]] for index in known]
    outcome = lists.add_many(runtime, project_id, list_name, entries, who)
    errors: list[tuple[int, SpamwardError]] = [
        (known[index], error) for index, error in outcome.errors
    ]
    errors += [
        (index, NotFound(f"no such entity: {entity_id}"))
        for index, entity_id in enumerate(entity_ids)
        if entity_id not in found
    ]
    return BulkOutcome(outcome.added, sorted(errors, key=lambda error: error[0]))


def _entries(runtime: Runtime, project_id: int, entity_ids: Sequence[int]) -> dict[int, NewEntry]:
    with runtime.database.read() as session:
        rows = entities_by_id(session, project_id, list(set(entity_ids)))
        return {
            row.id: NewEntry(EntityKind(row.kind), row.value, None, row.display) for row in rows
        }
