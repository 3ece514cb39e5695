"""Every dashboard page's routes, one module a page group."""

from __future__ import annotations

from starlette.routing import BaseRoute

from spamward.dashboard import (
    action_pages,
    overview_pages,
    review_pages,
    rule_pages,
    settings_pages,
    spam_manager_pages,
    user_pages,
)

PAGE_ROUTES: list[BaseRoute] = [
    *overview_pages.ROUTES,
    *spam_manager_pages.ROUTES,
    *user_pages.ROUTES,
    *review_pages.ROUTES,
    *action_pages.ROUTES,
    *rule_pages.ROUTES,
    *settings_pages.ROUTES,
]
