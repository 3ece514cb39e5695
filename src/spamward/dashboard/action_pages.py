"""Dashboard: the actions log (filtered, paged), one action with its attempts, and a
retry of a failed or skipped action; the defined actions' pages are registered here too."""

from __future__ import annotations

import uuid

from starlette.routing import BaseRoute, Route

from spamward.dashboard import defined_action_pages
from spamward.dashboard.action_filters import log_query
from spamward.dashboard.pages import Page, Redirect, View, page, safe_next
from spamward.dashboard.users_actions_shared import (
    PAGE_SIZE,
    action_href,
    page_offset,
    pager,
    user_href,
)
from spamward.errors import NotFound
from spamward.services import actions
from spamward.storage.repositories.actions import STATUSES


@page()
def action_log(view: Page) -> View:
    asked = log_query(view)
    offset = page_offset(view)
    rows = actions.action_log(view.runtime, view.project_id, asked.where, PAGE_SIZE + 1, offset)
    here = view.request.url.path + (f"?{view.request.url.query}" if view.request.url.query else "")
    return View("actions_log.html", {
        "rows": rows[:PAGE_SIZE], "filters": asked.values, "problems": asked.problems,
        "statuses": STATUSES, "pager": pager(view, offset, PAGE_SIZE, len(rows) > PAGE_SIZE),
        "user_href": user_href, "here": here,
    })  # fmt: skip


@page()
def action_detail(view: Page) -> View:
    shown = actions.get_action(view.runtime, view.project_id, _action_id(view))
    here = f"/actions/{shown['id']}"
    return View("actions_detail.html", {"action": shown, "user_href": user_href, "here": here})


@page()
def retry(view: Page) -> Redirect:
    """POST: queue the action again. A GET (where a refused retry comes back to when the
    browser sent no referrer) shows the action."""
    if view.form is None:
        return Redirect(action_href(str(_action_id(view))))
    shown = actions.retry_action(view.runtime, view.project_id, _action_id(view), view.who)
    view.flash(f"Queued {shown['name']} again")
    return Redirect(safe_next(view.field("back") or "/actions"))


def _action_id(view: Page) -> uuid.UUID:
    try:
        return uuid.UUID(str(view.request.path_params["action_id"]))
    except ValueError:
        raise NotFound("no such action") from None


ROUTES: list[BaseRoute] = [
    Route("/actions", action_log),
    Route("/actions/{action_id}", action_detail),
    Route("/actions/{action_id}/retry", retry, methods=["GET", "POST"]),
    *defined_action_pages.ROUTES,
]
