"""The frame every dashboard page shares: login, the moderator's projects and the one in
view, roles, CSRF on every form, flash messages, and errors shown as pages.

A handler is a plain function of a `Page`, run in a worker thread; it returns a `View`
(template and values) or a `Redirect`. `page(role)` checks the login and the project, and
on a form post the CSRF token and that the moderator's role may change things.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from spamward.dashboard.render import render
from spamward.dashboard.security import check_csrf, logged_in_moderator, session_epoch
from spamward.errors import Forbidden, SpamwardError
from spamward.runtime import Runtime
from spamward.services import moderators
from spamward.services.moderators import ProjectRole, Role

SESSION_PROJECT = "project"
SESSION_FLASH = "flash"
RANK = {Role.VIEWER: 0, Role.MODERATOR: 1, Role.ADMIN: 2}
NAV = (
    ("/overview", "Overview"),
    ("/spam", "Spam Manager"),
    ("/users", "Users"),
    ("/reviews", "Reviews"),
    ("/actions", "Actions log"),
    ("/defined-actions", "Actions"),
    ("/rules", "Rules"),
    ("/decisions", "Decisions"),
    ("/settings", "Settings"),
)


@dataclass(frozen=True)
class Page:
    request: Request
    runtime: Runtime
    moderator: moderators.ModeratorRef
    roles: list[ProjectRole]
    current: ProjectRole
    form: FormData | None = None

    @property
    def project_id(self) -> int:
        return self.current.project.id

    @property
    def who(self) -> str:
        return f"moderator:{self.moderator.email}"

    def query(self, name: str, default: str = "") -> str:
        return self.request.query_params.get(name, default)

    def field(self, name: str, default: str = "") -> str:
        value = self.form.get(name, default) if self.form is not None else default
        return value if isinstance(value, str) else default

    def fields(self, name: str) -> list[str]:
        values = self.form.getlist(name) if self.form is not None else []
        return [value for value in values if isinstance(value, str)]

    def may(self, role: Role) -> bool:
        return RANK[self.current.role] >= RANK[role]

    def flash(self, message: str, kind: str = "ok") -> None:
        self.request.session[SESSION_FLASH] = {"message": message, "kind": kind}


@dataclass(frozen=True)
class View:
    template: str
    values: dict[str, Any] = field(default_factory=dict)
    status: int = 200


@dataclass(frozen=True)
class Redirect:
    url: str


Handler = Callable[[Page], View | Redirect]


def page(
    change_role: Role = Role.MODERATOR,
) -> Callable[[Handler], Callable[[Request], Awaitable[Response]]]:
    """A dashboard page: a GET shows it to anyone with a role in the project; a POST needs
    the CSRF token and at least `change_role`."""

    def wrap(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            moderator_id = logged_in_moderator(request)
            to_login = RedirectResponse("/login?" + urlencode({"next": _here(request)}), 303)
            if moderator_id is None:
                return to_login
            runtime: Runtime = request.app.state.runtime
            found = await run_in_threadpool(moderators.moderator_and_roles, runtime.database,
                                            moderator_id)  # fmt: skip
            if found is None or found[0].session_epoch != session_epoch(request):
                request.session.clear()  # deleted, or signed out since this session began
                return to_login
            moderator, roles = found
            if not roles:
                return render(request, "no_project.html", 403)
            form = None
            if request.method == "POST":
                form = await request.form()
                check_csrf(request, form.get("csrf_token"))
            current = _current(request, roles)
            view = Page(request, runtime, moderator, roles, current, form)
            if form is not None and not view.may(change_role):
                raise Forbidden(f"a {current.role} may not change this; ask an admin")
            return await run_in_threadpool(_run, handler, view)

        endpoint.__name__ = handler.__name__
        return endpoint

    return wrap


def _run(handler: Handler, view: Page) -> Response:
    try:
        outcome = handler(view)
    except SpamwardError as error:
        if view.form is None:
            raise
        view.flash(error.message, "error")
        return RedirectResponse(_back(view.request), 303)
    if isinstance(outcome, Redirect):
        return RedirectResponse(outcome.url, 303)
    flash = view.request.session.pop(SESSION_FLASH, None)
    values = {"roles": view.roles, "current": view.current, "moderator": view.moderator,
              "flash": flash, "may_change": view.may(Role.MODERATOR),
              "is_admin": view.may(Role.ADMIN), "nav": NAV,
              "section": _section(view.request.url.path), **outcome.values}  # fmt: skip
    return render(view.request, outcome.template, outcome.status, **values)


def _section(path: str) -> str:
    """The nav entry a path belongs to: /spam/domains is under /spam."""
    return next((href for href, _ in NAV if path == href or path.startswith(href + "/")), "")


def _current(request: Request, roles: list[ProjectRole]) -> ProjectRole:
    wanted = request.query_params.get("project") or request.session.get(SESSION_PROJECT)
    chosen = next((role for role in roles if role.project.name == wanted), roles[0])
    request.session[SESSION_PROJECT] = chosen.project.name
    return chosen


def _here(request: Request) -> str:
    query = f"?{request.url.query}" if request.url.query else ""
    return request.url.path + query


def _back(request: Request) -> str:
    """Where a form came from (same site only), else the page it posted to."""
    referer = request.headers.get("referer", "")
    origin = f"{request.url.scheme}://{request.url.netloc}"
    if referer.startswith(origin + "/"):
        return referer[len(origin) :]
    return request.url.path


def safe_next(value: str) -> str:
    """A local path to go to after login: never another site."""
    if value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/"
