"""Dashboard: the rule pages. The draft's rules with what changed since the live version,
the score thresholds, the shadow report; publishing, a rule's mode, deleting one. The edit
form, the version history and backtests are in their own modules."""

from __future__ import annotations

from pydantic import ValidationError
from starlette.routing import BaseRoute, Route

from spamward.dashboard import rule_edit_pages, rule_version_pages
from spamward.dashboard.pages import Page, Redirect, View, page
from spamward.dashboard.rule_edit_pages import rule_href
from spamward.domain.verdict import Verdict
from spamward.errors import ValidationFailed
from spamward.policy.document import Mode, RuleSpec, Scoring
from spamward.services import policies, shadow

SHADOW_DAYS = 7
SCORED = [verdict.value for verdict in Verdict if verdict is not Verdict.ALLOW]


@page()
def rules_page(view: Page) -> View:
    found = policies.overview(view.runtime, view.project_id)
    days = _days(view.query("days"))
    rules = sorted(found.draft.rules, key=lambda rule: (rule.priority, rule.name))
    live = _live_rules(view, found.live_version)
    return View("rules.html", {
        "overview": found, "rules": rules, "changes": _changes(rules, live), "href": rule_href,
        "removed": sorted(set(live) - {rule.name for rule in rules}),
        "thresholds": {v.value: t for v, t in found.draft.scoring.thresholds.items()},
        "scored": SCORED, "modes": [mode.value for mode in Mode], "shadow_days": days,
        "shadow": shadow.shadow_report(view.runtime, view.project_id, days),
    })  # fmt: skip


def _live_rules(view: Page, number: int) -> dict[str, RuleSpec]:
    if number == 0:
        return {}
    _, document = policies.version(view.runtime, view.project_id, number)
    return {rule.name: rule for rule in document.rules}


def _changes(rules: list[RuleSpec], live: dict[str, RuleSpec]) -> dict[str, str]:
    """Per draft rule: 'new' or 'changed' against the live version, else nothing."""
    return {
        rule.name: "new" if rule.name not in live else "changed"
        for rule in rules
        if live.get(rule.name) != rule
    }


@page()
def publish_page(view: Page) -> Redirect:
    note = view.field("note").strip()[:500]
    published = policies.publish(view.runtime, view.project_id, view.who, note)
    view.flash(f"Published the draft as version {published.number}: it is live now.")
    return Redirect("/rules")


@page()
def scoring_page(view: Page) -> Redirect:
    given = {name: view.field(f"threshold_{name}").strip() for name in SCORED}
    try:
        scoring = Scoring.model_validate({"thresholds": {k: v for k, v in given.items() if v}})
    except ValidationError as error:
        raise ValidationFailed(_first_problem(error)) from None
    policies.set_scoring(view.runtime, view.project_id, scoring, view.who)
    view.flash("Score thresholds saved to the draft.")
    return Redirect("/rules")


def _first_problem(error: ValidationError) -> str:
    problem = error.errors(include_url=False)[0]
    where = ".".join(str(part) for part in problem["loc"][1:])
    return f"threshold {where}: {problem['msg']}" if where else str(problem["msg"])


@page()
def mode_page(view: Page) -> Redirect:
    name = str(view.request.path_params["name"])
    try:
        mode = Mode(view.field("mode"))
    except ValueError:
        raise ValidationFailed("the mode is active, shadow or disabled") from None
    rule = policies.get_rule(view.runtime, view.project_id, name)
    changed = rule.model_copy(update={"mode": mode}).model_dump(mode="json")
    policies.replace_rule(view.runtime, view.project_id, name, changed, view.who)
    view.flash(f"Rule {name} is {mode.value} in the draft.")
    return Redirect("/rules")


@page()
def delete_page(view: Page) -> Redirect:
    name = str(view.request.path_params["name"])
    policies.delete_rule(view.runtime, view.project_id, name, view.who)
    view.flash(f"Rule {name} deleted from the draft.")
    return Redirect("/rules")


def _days(value: str) -> int:
    fits = len(value) <= 3 and value.isdigit() and 1 <= int(value) <= 365
    return int(value) if fits else SHADOW_DAYS


ROUTES: list[BaseRoute] = [
    Route("/rules", rules_page, methods=["GET"]),
    Route("/rules/publish", publish_page, methods=["POST"]),
    Route("/rules/scoring", scoring_page, methods=["POST"]),
    *rule_version_pages.ROUTES,
    *rule_edit_pages.ROUTES,
    Route("/rules/{name}/mode", mode_page, methods=["POST"]),
    Route("/rules/{name}/delete", delete_page, methods=["POST"]),
    rule_edit_pages.EDIT_ROUTE,
]
