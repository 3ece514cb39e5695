"""Dashboard routes: login and logout here; the pages in their own modules, each a thin
handler over the services the API uses."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from spamward.dashboard.login_limit import LoginLimits
from spamward.dashboard.page_routes import PAGE_ROUTES
from spamward.dashboard.pages import Page, View, page, safe_next
from spamward.dashboard.render import HERE, render
from spamward.dashboard.security import check_csrf, logged_in_moderator, start_session
from spamward.runtime import Runtime
from spamward.services import decisions, moderators


async def login_page(request: Request) -> Response:
    next_page = safe_next(request.query_params.get("next", "/"))
    if logged_in_moderator(request) is not None:
        return RedirectResponse(next_page, 303)
    return render(request, "login.html", next=next_page)


async def login(request: Request) -> Response:
    limiter: LoginLimits = request.app.state.login_limiter
    form = await request.form()
    check_csrf(request, form.get("csrf_token"))
    email, password = str(form.get("email", "")), str(form.get("password", ""))
    next_page = safe_next(str(form.get("next", "/")))
    keys = (f"email:{email.strip().lower()}", f"ip:{request.client.host if request.client else ''}")
    wait = await run_in_threadpool(limiter.retry_after, *keys)  # Redis, in scaled mode
    if wait:
        message = f"Too many failed logins. Try again in {wait // 60 + 1} minute(s)."
        response = render(request, "login.html", 429, error=message, email=email, next=next_page)
        response.headers["Retry-After"] = str(wait)
        return response
    runtime: Runtime = request.app.state.runtime
    moderator = await run_in_threadpool(moderators.authenticate, runtime.database, email, password)
    if moderator is None:
        await run_in_threadpool(limiter.failed, *keys)
        return render(request, "login.html", 401, error="Wrong e-mail or password.", email=email,
                      next=next_page)  # fmt: skip
    await run_in_threadpool(limiter.succeeded, *keys)
    start_session(request, moderator.id, moderator.session_epoch)
    return RedirectResponse(next_page, 303)


async def logout(request: Request) -> Response:
    form = await request.form()
    check_csrf(request, form.get("csrf_token"))
    moderator_id = logged_in_moderator(request)
    if moderator_id is not None:  # the cookie could be replayed: end it on the server too
        runtime: Runtime = request.app.state.runtime
        await run_in_threadpool(moderators.end_sessions, runtime.database, moderator_id)
    request.session.clear()
    return RedirectResponse("/login", 303)


async def home(request: Request) -> Response:
    return RedirectResponse("/overview", 303)


@page()
def recent_decisions(view: Page) -> View:
    rows = decisions.recent_decisions(view.runtime, view.project_id, 100)
    return View("decisions.html", {"rows": rows})


def dashboard_routes() -> list[BaseRoute]:
    return [
        Route("/", home),
        Route("/login", login_page, methods=["GET"]),
        Route("/login", login, methods=["POST"]),
        Route("/logout", logout, methods=["POST"]),
        Route("/decisions", recent_decisions),
        *PAGE_ROUTES,
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
