"""Spam Manager operations: tabs, history, lists (also in bulk), spam users, settings."""

from __future__ import annotations

from typing import Any

from spamward.api.http import ApiCall, Operation
from spamward.api.remediation_schemas import SpamUsersOut
from spamward.api.schemas import (
    BulkListIn,
    BulkListOut,
    EntitiesOut,
    EntityQuery,
    EntityRowOut,
    ListEntriesOut,
    ListEntryIn,
    ListEntryOut,
    ListQuery,
    PageQuery,
    PostsOut,
    SettingsOut,
    SettingsPatch,
)
from spamward.domain.decision import ListName
from spamward.errors import NotFound, ValidationFailed
from spamward.services import lists, project_settings, spam_manager


def get_entities(call: ApiCall) -> tuple[int, Any]:
    project_id = call.project_id()
    query = call.params(EntityQuery)
    rows = spam_manager.entity_tab(
        call.runtime, project_id, query.kind, query.q, query.limit, query.offset
    )
    return 200, {"entities": rows}


def get_entity(call: ApiCall) -> tuple[int, Any]:
    project_id = call.project_id()
    return 200, spam_manager.entity_detail(
        call.runtime, project_id, call.path_int("entity_id", "entity")
    )


def get_entity_posts(call: ApiCall) -> tuple[int, Any]:
    project_id = call.project_id()
    page = call.params(PageQuery)
    posts = spam_manager.entity_posts(
        call.runtime, project_id, call.path_int("entity_id", "entity"), page.limit, page.offset
    )
    return 200, {"posts": posts}


def add_list_entry(call: ApiCall) -> tuple[int, Any]:
    caller = call.caller()
    entry = call.json(ListEntryIn)
    new = lists.NewEntry(entry.kind, entry.value, entry.note)
    view = lists.add_to_list(call.runtime, caller.project_id, _list_name(call), new, caller.who)
    return 201, view.to_json()


def add_list_entries(call: ApiCall) -> tuple[int, Any]:
    caller = call.caller()
    body = call.json(BulkListIn)
    new = [lists.NewEntry(e.kind, e.value, e.note) for e in body.entries]
    outcome = lists.add_many(call.runtime, caller.project_id, _list_name(call), new, caller.who)
    errors = [
        {"index": index, "code": error.code, "message": error.message}
        for index, error in outcome.errors
    ]
    return 200, {"added": [view.to_json() for view in outcome.added], "errors": errors}


def get_list_entries(call: ApiCall) -> tuple[int, Any]:
    project_id = call.project_id()
    list_name = _list_name(call)
    query = call.params(ListQuery)
    views = lists.list_entries(
        call.runtime, project_id, list_name, query.kind, query.limit, query.offset
    )
    return 200, {"entries": [view.to_json() for view in views]}


def remove_list_entry(call: ApiCall) -> tuple[int, Any]:
    caller = call.caller()
    list_name = _list_name(call)
    entry_id = call.path_int("entry_id", "entry")
    lists.remove_from_list(call.runtime, caller.project_id, list_name, entry_id, caller.who)
    return 204, None


def get_spam_users(call: ApiCall) -> tuple[int, Any]:
    project_id = call.project_id()
    page = call.params(PageQuery)
    users = spam_manager.spam_users(call.runtime, project_id, page.limit, page.offset)
    return 200, {"users": users}


def get_user_posts(call: ApiCall) -> tuple[int, Any]:
    project_id = call.project_id()
    page = call.params(PageQuery)
    user_id = str(call.path_params["user_id"])
    posts = spam_manager.user_posts(call.runtime, project_id, user_id, page.limit, page.offset)
    return 200, {"posts": posts}


def get_settings(call: ApiCall) -> tuple[int, Any]:
    project_id = call.project_id()
    return 200, project_settings.get_settings(call.runtime, project_id).to_json()


def patch_settings(call: ApiCall) -> tuple[int, Any]:
    caller = call.caller()
    changes = call.json(SettingsPatch).model_dump(exclude_none=True)
    current = project_settings.get_settings(call.runtime, caller.project_id).to_json()
    merged = current | changes
    if merged["retention_days"] < merged["window_days"]:
        raise ValidationFailed("retention_days must be at least window_days")
    updated = project_settings.update_settings(call.runtime, caller.project_id, changes, caller.who)
    return 200, updated.to_json()


def _list_name(call: ApiCall) -> ListName:
    try:
        return ListName(call.path_params["list_name"])
    except ValueError:
        raise NotFound(f"no list named {call.path_params['list_name']!r}") from None


_LIST_ERRORS = (400, 401, 404, 409, 413, 415, 422)

SPAM_MANAGER_OPERATIONS = (
    Operation("GET", "/v1/entities", get_entities,
              "A tab: unlisted entities of one kind posted in the window, most posted first",
              EntitiesOut, query=EntityQuery),
    Operation("GET", "/v1/entities/{entity_id}", get_entity, "One entity with its counts",
              EntityRowOut, errors=(401, 404)),
    Operation("GET", "/v1/entities/{entity_id}/posts", get_entity_posts,
              "The posts that contained an entity, newest first", PostsOut, query=PageQuery,
              errors=(401, 404, 422)),
    Operation("POST", "/v1/lists/{list_name}", add_list_entry,
              "Allow, deny or ignore an entity (moves it from another list)", ListEntryOut,
              status=201, body=ListEntryIn, errors=_LIST_ERRORS),
    Operation("POST", "/v1/lists/{list_name}/bulk", add_list_entries,
              "Add many entries; bad ones are reported, good ones kept", BulkListOut,
              body=BulkListIn, errors=_LIST_ERRORS),
    Operation("GET", "/v1/lists/{list_name}", get_list_entries,
              "A list's live entries, newest first", ListEntriesOut, query=ListQuery,
              errors=(401, 404, 422)),
    Operation("DELETE", "/v1/lists/{list_name}/{entry_id}", remove_list_entry,
              "Remove an entry: the entity returns to its tab when posted again", None,
              status=204, errors=(401, 404)),
    Operation("GET", "/v1/spam-users", get_spam_users,
              "Users who posted denied or uncategorised entities, most recent spam first",
              SpamUsersOut, query=PageQuery),
    Operation("GET", "/v1/spam-users/{user_id}/posts", get_user_posts,
              "A user's spam posts with their entities, newest first", PostsOut, query=PageQuery,
              errors=(401, 404, 422)),
    Operation("GET", "/v1/settings", get_settings, "The project's Spam Manager settings",
              SettingsOut, errors=(401,)),
    Operation("PATCH", "/v1/settings", patch_settings, "Change some settings", SettingsOut,
              body=SettingsPatch, errors=(400, 401, 413, 415, 422)),
)  # fmt: skip
