"""Dashboard: the policy's version history with rollback, and backtests of the draft."""

from __future__ import annotations

import uuid

from starlette.routing import BaseRoute, Route

from spamward.dashboard.pages import Page, Redirect, View, page
from spamward.errors import NotFound, ValidationFailed
from spamward.services import backtests, policies, policy_history

PAGE_SIZE = 50
MAX_DAYS = 365


@page()
def versions_page(view: Page) -> View:
    offset = _offset(view.query("offset"))
    found = policy_history.version_page(view.runtime, view.project_id, PAGE_SIZE + 1, offset)
    return View("rules_versions.html", {
        "versions": found[:PAGE_SIZE], "offset": offset, "page_size": PAGE_SIZE,
        "more": len(found) > PAGE_SIZE,
    })  # fmt: skip


@page()
def rollback_page(view: Page) -> Redirect:
    number = int(view.request.path_params["number"])
    published = policies.rollback(view.runtime, view.project_id, number, view.who)
    view.flash(f"Rolled back to version {number}: live now as version {published.number}, "
               "and the draft is that version.")  # fmt: skip
    return Redirect("/rules/versions")


@page()
def start_backtest_page(view: Page) -> Redirect:
    days = view.field("days").strip()
    if not (days.isdigit() and len(days) <= 3 and 1 <= int(days) <= MAX_DAYS):
        raise ValidationFailed(f"a backtest covers 1 to {MAX_DAYS} days")
    job = backtests.start_backtest(view.runtime, view.project_id, None, int(days))
    view.flash(f"Backtest of the draft over the last {days} day(s) started.")
    return Redirect(f"/rules/backtests/{job['id']}")


@page()
def backtest_page(view: Page) -> View:
    try:
        job_id = uuid.UUID(str(view.request.path_params["backtest_id"]))
    except ValueError:
        raise NotFound("no such backtest") from None
    job = backtests.get_backtest(view.runtime, view.project_id, job_id)
    return View("rules_backtest.html", {"job": job})


def _offset(value: str) -> int:
    return int(value) if value.isdigit() and len(value) < 10 else 0


ROUTES: list[BaseRoute] = [
    Route("/rules/versions", versions_page, methods=["GET"]),
    Route("/rules/versions/{number:int}/rollback", rollback_page, methods=["POST"]),
    Route("/rules/backtests", start_backtest_page, methods=["POST"]),
    Route("/rules/backtests/{backtest_id}", backtest_page, methods=["GET"]),
]
