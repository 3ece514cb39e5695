"""The API's operations: each handler parses, scopes to the key's project, calls one service."""

from __future__ import annotations

import uuid
from typing import Any

from spamward.api.http import ApiCall, Operation
from spamward.api.schemas import (
    DecisionOut,
    EventIn,
    ListEntriesOut,
    ListEntryIn,
    ListEntryOut,
    ListQuery,
)
from spamward.domain.decision import ListName
from spamward.errors import NotFound
from spamward.services import decisions, lists


def post_event(call: ApiCall) -> tuple[int, Any]:
    project_id = call.project_id()
    event = call.json(EventIn).to_event()
    return 200, decisions.decide(call.runtime, project_id, event).to_json()


def get_decision(call: ApiCall) -> tuple[int, Any]:
    project_id = call.project_id()
    decision_id = _uuid(call.path_params["decision_id"])
    return 200, decisions.get_decision(call.runtime, project_id, decision_id).to_json()


def add_list_entry(call: ApiCall) -> tuple[int, Any]:
    project_id = call.project_id()
    list_name = _list_name(call)
    entry = call.json(ListEntryIn)
    view = lists.add_to_list(
        call.runtime, project_id, list_name, entry.kind, entry.value, entry.note
    )
    return 201, view.to_json()


def get_list_entries(call: ApiCall) -> tuple[int, Any]:
    project_id = call.project_id()
    list_name = _list_name(call)
    query = call.params(ListQuery)
    views = lists.list_entries(
        call.runtime, project_id, list_name, query.kind, query.limit, query.offset
    )
    return 200, {"entries": [view.to_json() for view in views]}


def remove_list_entry(call: ApiCall) -> tuple[int, Any]:
    project_id = call.project_id()
    list_name = _list_name(call)
    entry_id = _int(call.path_params["entry_id"])
    lists.remove_from_list(call.runtime, project_id, list_name, entry_id)
    return 204, None


def _uuid(raw: str) -> uuid.UUID:
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise NotFound("no such decision") from None


def _int(raw: str) -> int:
    if not raw.isdigit() or len(raw) > 18:
        raise NotFound("no such list entry")
    return int(raw)


def _list_name(call: ApiCall) -> ListName:
    try:
        return ListName(call.path_params["list_name"])
    except ValueError:
        raise NotFound(f"no list named {call.path_params['list_name']!r}") from None


OPERATIONS = (
    Operation(
        "POST", "/v1/events", post_event, "Judge a user action and record the decision",
        DecisionOut, body=EventIn, errors=(400, 401, 413, 415, 422),
    ),
    Operation(
        "GET", "/v1/decisions/{decision_id}", get_decision, "Read a stored decision",
        DecisionOut, errors=(401, 404),
    ),
    Operation(
        "POST", "/v1/lists/{list_name}", add_list_entry, "Add an entity to a list",
        ListEntryOut, status=201, body=ListEntryIn, errors=(400, 401, 404, 409, 413, 415, 422),
    ),
    Operation(
        "GET", "/v1/lists/{list_name}", get_list_entries, "List a list's entries, newest first",
        ListEntriesOut, query=ListQuery, errors=(401, 404, 422),
    ),
    Operation(
        "DELETE", "/v1/lists/{list_name}/{entry_id}", remove_list_entry,
        "Remove an entry from a list", None, status=204, errors=(401, 404),
    ),
)  # fmt: skip
