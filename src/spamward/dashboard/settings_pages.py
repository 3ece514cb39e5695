"""Dashboard: the settings pages. Every role reads them; only admins change anything
(each change is its own POST route under `page(Role.ADMIN)`).

This page: the Spam Manager settings, the draft's score thresholds, where actions go (with
the webhook secret shown once when made), and the process configuration, read only. API
keys and moderators are in settings_access_pages.py.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.routing import BaseRoute, Route

from spamward.dashboard import settings_access_pages, settings_forms
from spamward.dashboard.pages import Page, Redirect, View, page
from spamward.services import policies, project_settings, remediation_settings
from spamward.services.moderators import Role

OPERATIONS_DOC = "docs/operations.md"


@page()
def settings_page(view: Page) -> View:
    return _settings_view(view)


@page(Role.ADMIN)
def save_spam_manager(view: Page) -> Redirect:
    current = project_settings.get_settings(view.runtime, view.project_id).to_json()
    changes = settings_forms.spam_manager_changes(view, current)
    if changes:
        project_settings.update_settings(view.runtime, view.project_id, changes, view.who)
    view.flash("Spam Manager settings saved." if changes else "Nothing changed.")
    return Redirect(_back(view))


@page(Role.ADMIN)
def save_scoring(view: Page) -> Redirect:
    policies.set_scoring(view.runtime, view.project_id, settings_forms.scoring(view), view.who)
    view.flash("Score thresholds saved in the draft: publish it on the Rules page to apply them.")
    return Redirect(_back(view))


@page(Role.ADMIN)
def save_remediation(view: Page) -> View | Redirect:
    current = remediation_settings.get_remediation_settings(view.runtime, view.project_id)
    changes = settings_forms.remediation_changes(view, current)
    if not changes:
        view.flash("Nothing changed.")
        return Redirect(_back(view))
    shown = remediation_settings.update_remediation_settings(
        view.runtime, view.project_id, changes, view.who
    )
    view.flash("Remediation settings saved.")
    if "webhook_secret" in shown:  # the first webhook: its new secret, shown this once
        return _settings_view(view, shown["webhook_secret"])
    return Redirect(_back(view))


@page(Role.ADMIN)
def rotate_secret(view: Page) -> View:
    shown = remediation_settings.rotate_webhook_secret(view.runtime, view.project_id, view.who)
    view.flash("A new webhook secret signs the next deliveries.")
    return _settings_view(view, shown["webhook_secret"])


def _settings_view(view: Page, new_secret: str | None = None) -> View:
    """The page; `new_secret` is shown once, in this answer only."""
    runtime, project_id = view.runtime, view.project_id
    policy = policies.overview(runtime, project_id)
    values: dict[str, Any] = {
        "spam_manager": project_settings.get_settings(runtime, project_id),
        "thresholds": {v.value: _number(t) for v, t in policy.draft.scoring.thresholds.items()},
        "threshold_verdicts": [v.value for v in settings_forms.THRESHOLD_VERDICTS],
        "unpublished": policy.unpublished_changes,
        "live_version": policy.live_version,
        "remediation": remediation_settings.get_remediation_settings(runtime, project_id),
        "new_secret": new_secret,
        "smtp": _smtp(view),
        "windows": list(runtime.windows),
        "operations_doc": OPERATIONS_DOC,
        "settings_tab": "general",
    }
    return View("settings.html", values)


def _number(value: float) -> str:
    return str(int(value)) if value.is_integer() else repr(value)


def _smtp(view: Page) -> dict[str, Any]:
    """The SMTP configuration as the page shows it: never the password."""
    settings = view.runtime.settings
    return {
        "host": settings.smtp_host,
        "port": settings.smtp_port,
        "security": settings.smtp_security,
        "sender": settings.smtp_from,
        "login": bool(settings.smtp_username and settings.smtp_password),
    }


def _back(view: Page) -> str:
    return "/settings?" + urlencode({"project": view.current.project.name})


ROUTES: list[BaseRoute] = [
    Route("/settings", settings_page),
    Route("/settings/spam-manager", save_spam_manager, methods=["POST"]),
    Route("/settings/scoring", save_scoring, methods=["POST"]),
    Route("/settings/remediation", save_remediation, methods=["POST"]),
    Route("/settings/webhook-secret", rotate_secret, methods=["POST"]),
    *settings_access_pages.ROUTES,
]
