"""Dashboard pages: thin handlers over the same services the API uses."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from spamward.dashboard.security import (
    SECURITY_HEADERS,
    check_csrf,
    csrf_token,
    logged_in_moderator,
    start_session,
)
from spamward.runtime import Runtime
from spamward.services import decisions, moderators
from spamward.services.moderators import ProjectRole

_HERE = Path(__file__).parent
templates = Jinja2Templates(directory=_HERE / "templates")


def render(request: Request, name: str, status: int = 200, **context: Any) -> Response:
    context["csrf_token"] = csrf_token(request)
    response = templates.TemplateResponse(request, name, context, status_code=status)
    response.headers.update(SECURITY_HEADERS)
    return response


async def login_page(request: Request) -> Response:
    if logged_in_moderator(request) is not None:
        return RedirectResponse("/decisions", 303)
    return render(request, "login.html")


async def login(request: Request) -> Response:
    form = await request.form()
    check_csrf(request, form.get("csrf_token"))
    email, password = str(form.get("email", "")), str(form.get("password", ""))
    runtime: Runtime = request.app.state.runtime
    moderator = await run_in_threadpool(moderators.authenticate, runtime.database, email, password)
    if moderator is None:
        return render(request, "login.html", 401, error="Wrong e-mail or password.", email=email)
    start_session(request, moderator.id)
    return RedirectResponse("/decisions", 303)


async def logout(request: Request) -> Response:
    form = await request.form()
    check_csrf(request, form.get("csrf_token"))
    request.session.clear()
    return RedirectResponse("/login", 303)


async def home(request: Request) -> Response:
    return RedirectResponse("/decisions", 303)


async def recent_decisions(request: Request) -> Response:
    moderator_id = logged_in_moderator(request)
    if moderator_id is None:
        return RedirectResponse("/login", 303)
    runtime: Runtime = request.app.state.runtime
    roles = await run_in_threadpool(moderators.roles_of, runtime.database, moderator_id)
    if not roles:
        return render(request, "no_project.html", 403)
    current = _chosen_project(roles, request.query_params.get("project"))
    rows = await run_in_threadpool(decisions.recent_decisions, runtime, current.project.id, 100)
    return render(request, "decisions.html", roles=roles, current=current, rows=rows)


def _chosen_project(roles: list[ProjectRole], wanted: str | None) -> ProjectRole:
    return next((role for role in roles if role.project.name == wanted), roles[0])


def dashboard_routes() -> list[BaseRoute]:
    return [
        Route("/", home),
        Route("/login", login_page, methods=["GET"]),
        Route("/login", login, methods=["POST"]),
        Route("/logout", logout, methods=["POST"]),
        Route("/decisions", recent_decisions),
        Mount("/static", StaticFiles(directory=_HERE / "static"), name="static"),
    ]
