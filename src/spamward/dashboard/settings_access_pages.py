"""Dashboard settings: who may use the project. API keys (a new token is shown once, in
the answer to the form), the project's moderators with their roles, and the audit log of
who changed what. Every role reads these pages; only admins change them."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.routing import BaseRoute, Route

from spamward.dashboard.pages import Page, Redirect, View, page
from spamward.dashboard.settings_forms import text
from spamward.errors import NotFound, ValidationFailed
from spamward.services import api_keys, project_members
from spamward.services.audit_log import audit_log
from spamward.services.moderators import Role
from spamward.services.projects import KeyScope

PAGE_SIZE = 50
MAX_ID = 2**31 - 1  # the id columns' range: larger numbers name nothing
MAX_OFFSET = 1_000_000


@page()
def keys_page(view: Page) -> View:
    return _keys_view(view)


@page(Role.ADMIN)
def create_key(view: Page) -> View:
    name, scope = text(view, "name"), _scope(view)
    new = api_keys.create_key(view.runtime, view.current.project, name, view.who, scope)
    view.flash(f"{scope} API key {name!r} created: copy its token now, it is not shown again.")
    return _keys_view(view, new.token)


@page(Role.ADMIN)
def revoke_key(view: Page) -> Redirect:
    revoked = api_keys.revoke_key(view.runtime, view.project_id, _path_id(view, "key_id"),
                                  view.who)  # fmt: skip
    view.flash(f"API key {revoked.name!r} ({revoked.prefix}…) revoked: it no longer works.")
    return Redirect(_here(view, "/settings/api-keys"))


def _scope(view: Page) -> KeyScope:
    try:
        return KeyScope(view.field("scope") or KeyScope.INGEST)
    except ValueError:
        raise ValidationFailed("scope: ingest or admin") from None


def _keys_view(view: Page, new_token: str | None = None) -> View:
    offset = _offset(view)
    keys = api_keys.list_keys(view.runtime, view.project_id, PAGE_SIZE + 1, offset)
    return View("settings_api_keys.html", {
        "keys": keys[:PAGE_SIZE], "more": len(keys) > PAGE_SIZE, "offset": offset,
        "page_size": PAGE_SIZE, "new_token": new_token, "settings_tab": "api-keys",
    })  # fmt: skip


@page()
def members_page(view: Page) -> View:
    offset = _offset(view)
    found = project_members.members(view.runtime, view.project_id, PAGE_SIZE + 1, offset)
    return View("settings_moderators.html", {
        "members": found[:PAGE_SIZE], "more": len(found) > PAGE_SIZE, "offset": offset,
        "page_size": PAGE_SIZE, "me": view.moderator.id, "all_roles": list(Role),
        "settings_tab": "moderators",
    })  # fmt: skip


@page(Role.ADMIN)
def add_member(view: Page) -> Redirect:
    email, role = text(view, "email"), _role(view)
    project_members.add_member(view.runtime, view.current.project, email, role,
                               view.field("password"), view.who)  # fmt: skip
    view.flash(f"{email.lower()} is now {role} of {view.current.project.name}.")
    return Redirect(_here(view, "/settings/moderators"))


@page(Role.ADMIN)
def change_member_role(view: Page) -> Redirect:
    role = _role(view)
    project_members.change_role(view.runtime, view.project_id, _path_id(view, "moderator_id"),
                                role, view.moderator.id, view.who)  # fmt: skip
    view.flash(f"Role changed to {role}.")
    return Redirect(_here(view, "/settings/moderators"))


@page(Role.ADMIN)
def remove_member(view: Page) -> Redirect:
    project_members.remove_member(view.runtime, view.project_id, _path_id(view, "moderator_id"),
                                  view.moderator.id, view.who)  # fmt: skip
    view.flash("Moderator removed from the project; the account stays.")
    return Redirect(_here(view, "/settings/moderators"))


@page()
def audit_page(view: Page) -> View:
    offset = _offset(view)
    entries = audit_log(view.runtime, view.project_id, PAGE_SIZE + 1, offset)
    return View("settings_audit.html", {
        "entries": entries[:PAGE_SIZE], "more": len(entries) > PAGE_SIZE, "offset": offset,
        "page_size": PAGE_SIZE, "settings_tab": "audit",
    })  # fmt: skip


def _role(view: Page) -> Role:
    try:
        return Role(view.field("role"))
    except ValueError:
        raise ValidationFailed("role: choose admin, moderator or viewer") from None


def _path_id(view: Page, name: str) -> int:
    value = str(view.request.path_params[name])
    if not (value.isascii() and value.isdigit() and 0 < int(value) <= MAX_ID):
        raise NotFound(f"no such {name.removesuffix('_id').replace('_', ' ')}")
    return int(value)


def _offset(view: Page) -> int:
    value = view.query("offset", "0")
    return min(int(value), MAX_OFFSET) if value.isascii() and value.isdigit() else 0


def _here(view: Page, path: str) -> str:
    return path + "?" + urlencode({"project": view.current.project.name})


ROUTES: list[BaseRoute] = [
    Route("/settings/api-keys", keys_page, methods=["GET"]),
    Route("/settings/api-keys", create_key, methods=["POST"]),
    Route("/settings/api-keys/{key_id}/revoke", revoke_key, methods=["POST"]),
    Route("/settings/moderators", members_page, methods=["GET"]),
    Route("/settings/audit-log", audit_page, methods=["GET"]),
    Route("/settings/moderators", add_member, methods=["POST"]),
    Route("/settings/moderators/{moderator_id}/role", change_member_role, methods=["POST"]),
    Route("/settings/moderators/{moderator_id}/remove", remove_member, methods=["POST"]),
]
