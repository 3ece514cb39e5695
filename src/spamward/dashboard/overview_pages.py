"""Dashboard: the overview."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from spamward.dashboard.pages import Page, View, page


@page()
def overview(view: Page) -> View:
    return View("overview.html", {})


ROUTES: list[BaseRoute] = [Route("/overview", overview)]
