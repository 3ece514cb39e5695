"""Dashboard: the project's defined actions (a catalog action with fixed parameters under
a name of the project's choice), with a form to create or change one, and deletion."""

from __future__ import annotations

import re
from typing import Any

from pydantic_core import PydanticUndefined
from starlette.routing import BaseRoute, Route

from spamward.dashboard import param_lines
from spamward.dashboard.pages import Page, Redirect, View, page
from spamward.dashboard.users_actions_shared import form_text
from spamward.errors import NotFound, ValidationFailed
from spamward.remediation.catalog import ActionKind
from spamward.services import defined_actions

NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")  # as the API takes it (catalog.ActionName)
MAX_DESCRIPTION = 1000
MAX_PARAMS_TEXT = 4000


@page()
def defined_page(view: Page) -> View | Redirect:
    if view.form is not None:
        return _put(view)
    defined = [{**d, "shown": param_lines.summary(d["params"])}
               for d in defined_actions.list_defined(view.runtime, view.project_id)]  # fmt: skip
    editing = next((d for d in defined if d["name"] == view.query("edit")), None)
    return View("actions_defined.html", {
        "defined": defined, "editing": editing, "catalog": catalog(),
        "lines": param_lines.lines(editing["params"]) if editing else "",
    })  # fmt: skip


def _put(view: Page) -> Redirect:
    name = view.field("name").strip()
    if not NAME.match(name):
        message = "a lowercase letter, then lowercase letters, digits or _ (at most 63)"
        raise ValidationFailed(f"name: {message}", [{"field": "name", "message": message}])
    try:
        kind = ActionKind(view.field("action"))
    except ValueError:
        problem = {"field": "action", "message": "not a catalog action"}
        raise ValidationFailed("choose a catalog action", [problem]) from None
    params = param_lines.parse(form_text(view, "params", MAX_PARAMS_TEXT))
    description = form_text(view, "description", MAX_DESCRIPTION)
    defined_actions.put_defined(view.runtime, view.project_id, name, kind, params, description,
                                view.who)  # fmt: skip
    view.flash(f"Saved {name} ({kind.value})")
    return Redirect("/defined-actions")


@page()
def delete(view: Page) -> Redirect:
    """POST: delete it. A GET (a refused delete without a referrer) goes to the list."""
    if view.form is None:
        return Redirect("/defined-actions")
    name = str(view.request.path_params["name"])
    if not NAME.match(name):
        raise NotFound(f"no defined action named {name!r}")
    defined_actions.delete_defined(view.runtime, view.project_id, name, view.who)
    view.flash(f"Deleted {name}")
    return Redirect("/defined-actions")


def catalog() -> list[dict[str, Any]]:
    """Each catalog action, what it acts on, and its parameters with their defaults."""
    return [
        {"name": kind.value, "target": kind.target.value,
         "params": {name: _default(info.default) for name, info in
                    kind.params_model.model_fields.items()}}
        for kind in ActionKind
    ]  # fmt: skip


def _default(value: Any) -> str:
    if value is PydanticUndefined:
        return "(required)"
    return param_lines.written(value)


ROUTES: list[BaseRoute] = [
    Route("/defined-actions", defined_page, methods=["GET", "POST"]),
    Route("/defined-actions/{name}/delete", delete, methods=["GET", "POST"]),
]
