"""Dashboard: the users who post spam, and one user's page: their account, spam posts and
actions, with the actions a moderator runs on them (after a confirmation step) and their
account status."""

from __future__ import annotations

from typing import Any

from starlette.routing import BaseRoute, Route

from spamward.dashboard.pages import Page, Redirect, View, page
from spamward.dashboard.user_commands import CATALOG_VERBS, TAKES_DURATION, command, usable_on_users
from spamward.dashboard.users_actions_shared import (
    MAX_USER_ID,
    PAGE_SIZE,
    form_text,
    page_offset,
    pager,
    storable,
    user_href,
)
from spamward.domain.account import AccountStatus
from spamward.errors import NotFound, ValidationFailed
from spamward.services import accounts, actions, defined_actions, spam_manager, user_overview
from spamward.storage.repositories.actions import LogFilter

USER_ACTIONS_SHOWN = 20


@page()
def users(view: Page) -> View:
    offset = page_offset(view)
    rows = spam_manager.spam_users(view.runtime, view.project_id, PAGE_SIZE + 1, offset)
    more = len(rows) > PAGE_SIZE
    return View("users_list.html", {"rows": rows[:PAGE_SIZE], "user_href": user_href,
                                    "pager": pager(view, offset, PAGE_SIZE, more)})  # fmt: skip


@page()
def user(view: Page) -> View | Redirect:
    user_id = str(view.request.path_params["user_id"])
    if not storable(user_id, MAX_USER_ID):
        raise NotFound("no such user")
    if view.form is None:
        return _show(view, user_id)
    user_overview.account_detail(view.runtime, view.project_id, user_id)  # 404 if unknown
    if view.field("do") == "status":
        return _set_status(view, user_id)
    return _run(view, user_id)


def _show(view: Page, user_id: str) -> View:
    account = user_overview.account_detail(view.runtime, view.project_id, user_id)
    offset = page_offset(view)
    posts = spam_manager.user_posts(view.runtime, view.project_id, user_id, PAGE_SIZE + 1, offset)
    done = actions.action_log(view.runtime, view.project_id, LogFilter(user_id=user_id),
                              USER_ACTIONS_SHOWN)  # fmt: skip
    defined = usable_on_users(defined_actions.list_defined(view.runtime, view.project_id))
    return View("users_detail.html", {
        "account": account, "posts": posts[:PAGE_SIZE], "actions": done, "defined": defined,
        "pager": pager(view, offset, PAGE_SIZE, len(posts) > PAGE_SIZE), "here": user_href(user_id),
        "catalog": [(kind.value, verb, kind in TAKES_DURATION)
                    for kind, verb in CATALOG_VERBS.items()],
        "statuses": [status.value for status in AccountStatus], "user_href": user_href,
    })  # fmt: skip


def _set_status(view: Page, user_id: str) -> Redirect:
    try:
        status = AccountStatus(view.field("status"))
    except ValueError:
        problem = {"field": "status", "message": "not a status"}
        raise ValidationFailed("choose a status", [problem]) from None
    note = form_text(view, "note") or None
    accounts.set_account_status(view.runtime, view.project_id, user_id, status, view.who, note)
    view.flash(f"Status of {user_id} set to {status.value}")
    return Redirect(user_href(user_id))


def _run(view: Page, user_id: str) -> View | Redirect:
    defined = defined_actions.list_defined(view.runtime, view.project_id)
    chosen = command(view.field("action"), view.field("duration"), view.field("channel"), defined)
    note = form_text(view, "note")
    if view.field("confirm") != "yes":
        form: dict[str, Any] = {"action": chosen.name, "note": note, **chosen.given}
        return View("users_confirm.html", {"question": chosen.question(user_id), "form": form,
                                           "here": user_href(user_id), "user_id": user_id,
                                           "description": chosen.description})  # fmt: skip
    target = actions.ManualTarget(user_id=user_id)
    actions.run_action(view.runtime, view.project_id, chosen.name, target, view.who,
                       note or None, chosen.given or None)  # fmt: skip
    view.flash(f"Queued {chosen.name} for {user_id}")
    return Redirect(user_href(user_id))


ROUTES: list[BaseRoute] = [
    Route("/users", users),
    Route("/users/{user_id:path}", user, methods=["GET", "POST"]),
]
