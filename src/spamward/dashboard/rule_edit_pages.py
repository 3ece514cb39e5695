"""Dashboard: a rule's edit form, and the form for a new one. A rule that does not check
is shown again as typed, each problem next to its field (a condition's with its line and
column); one that does is saved to the draft."""

from __future__ import annotations

from typing import Any

from starlette.routing import BaseRoute, Route

from spamward.dashboard.pages import Page, Redirect, View, page
from spamward.dashboard.rule_form import NEW_RULE, placed, raw_rule, submitted, values_of
from spamward.domain.verdict import Verdict
from spamward.errors import Conflict
from spamward.policy.document import ChallengeKind, Mode
from spamward.policy.errors import PolicyInvalid
from spamward.services import policies

# Paths under /rules that are pages of their own: a rule with such a name is edited at
# /rules/edit/{name}.
RESERVED = frozenset({"new", "versions", "publish", "scoring", "backtests", "edit"})


def rule_href(name: str) -> str:
    return f"/rules/edit/{name}" if name in RESERVED else f"/rules/{name}"


@page()
def new_rule_page(view: Page) -> View | Redirect:
    if view.form is None:
        return _form(view, dict(NEW_RULE), None)
    return _save(view, None)


@page()
def rule_page(view: Page) -> View | Redirect:
    name = str(view.request.path_params["name"])
    if view.form is None:
        rule = policies.get_rule(view.runtime, view.project_id, name)
        return _form(view, values_of(rule), name)
    return _save(view, name)


def _save(view: Page, name: str | None) -> View | Redirect:
    """Add (`name` None) or replace the rule; the form again, as typed, if it fails."""
    values = submitted({field: view.field(field) for field in NEW_RULE})
    raw, problems = raw_rule(values)
    try:
        if problems:
            raise PolicyInvalid(problems)
        if name is None:
            saved = policies.add_rule(view.runtime, view.project_id, raw, view.who)
        else:
            saved = policies.replace_rule(view.runtime, view.project_id, name, raw, view.who)
    except PolicyInvalid as invalid:
        found = [*(invalid.details or []), *policies.problems_in(view.runtime, {"rules": [raw]})]
        return _form(view, values, name, found, 422)
    except Conflict as conflict:
        return _form(view, values, name, [{"field": "name", "message": conflict.message}], 409)
    view.flash(f"Rule {saved.name} saved to the draft. Publish the draft to make it live.")
    return Redirect("/rules")


def _form(
    view: Page, values: dict[str, str], name: str | None,
    problems: list[dict[str, Any]] | None = None, status: int = 200,
) -> View:  # fmt: skip
    action = "/rules/new" if name is None else rule_href(name)
    shown = placed(problems or [], values)
    return View("rules_edit.html", {
        "values": values, "rule_name": name, "action": action, "problems": shown,
        "verdicts": [v.value for v in Verdict], "modes": [m.value for m in Mode],
        "challenges": [c.value for c in ChallengeKind],
    }, status)  # fmt: skip


ROUTES: list[BaseRoute] = [
    Route("/rules/new", new_rule_page, methods=["GET", "POST"]),
    Route("/rules/edit/{name}", rule_page, methods=["GET", "POST"]),
]
EDIT_ROUTE: BaseRoute = Route("/rules/{name}", rule_page, methods=["GET", "POST"])
