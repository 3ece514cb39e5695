"""create_app(settings): wires the API, the dashboard and storage into one ASGI app."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import orjson
import psycopg
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from starlette.types import Lifespan

from spamward.api.docs import docs_routes
from spamward.api.errors import (
    on_database_error,
    on_http_exception,
    on_spamward_error,
    on_unexpected,
)
from spamward.api.http import api_routes
from spamward.api.limits import BodyLimitMiddleware, LoadShedMiddleware
from spamward.api.openapi import build_openapi
from spamward.api.routes import OPERATIONS
from spamward.dashboard.login_limit import login_limits_for
from spamward.dashboard.routes import dashboard_routes
from spamward.errors import ServiceUnavailable, SpamwardError
from spamward.maintenance import MaintenanceWorker
from spamward.observability.endpoint import metrics_routes
from spamward.observability.logs import configure_logging
from spamward.remediation.worker import ActionWorker
from spamward.runtime import Runtime, build_runtime
from spamward.settings import Settings, session_secret


def create_app(settings: Settings, runtime: Runtime | None = None) -> Starlette:
    runtime = runtime or build_runtime(settings)
    configure_logging(settings)
    app = Starlette(
        routes=[*_routes(), *metrics_routes(settings, runtime)],
        middleware=[
            Middleware(LoadShedMiddleware, max_in_flight=settings.max_requests_in_flight),
            Middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes),
            Middleware(
                SessionMiddleware,
                secret_key=session_secret(settings),
                session_cookie="spamward_session",
                same_site="lax",
                https_only=settings.secure_cookies,
            ),
        ],
        exception_handlers={
            SpamwardError: on_spamward_error,
            HTTPException: on_http_exception,
            DBAPIError: on_database_error,
            psycopg.Error: on_database_error,
            Exception: on_unexpected,
        },
        lifespan=_lifespan(runtime),
    )
    app.state.runtime = runtime
    app.state.login_limiter = login_limits_for(settings)
    return app


def _lifespan(runtime: Runtime) -> Lifespan[Starlette]:
    interval = runtime.settings.maintenance_interval_seconds

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        workers: list[MaintenanceWorker | ActionWorker] = []
        if interval:
            workers.append(MaintenanceWorker(runtime, interval))
        if runtime.settings.embedded_worker:
            workers.append(ActionWorker(runtime))
        for worker in workers:
            worker.start()
        # What startup loaded (extraction tables, the model) lives as long as the process:
        # kept out of the collector's full passes, which would otherwise walk it all, a
        # pause of about 100 ms every few thousand decisions.
        gc.freeze()
        yield
        gc.unfreeze()  # an app built again in this process (tests) frees the old one
        for worker in workers:
            worker.stop()
        runtime.close()

    return lifespan


def _routes() -> list[BaseRoute]:
    return [
        *api_routes(OPERATIONS),
        Route("/healthz", health),
        *docs_routes(build_openapi(OPERATIONS)),
        *dashboard_routes(),
    ]


async def health(request: Request) -> Response:
    runtime: Runtime = request.app.state.runtime
    try:
        await run_in_threadpool(_ping, runtime)
    except Exception as error:
        raise ServiceUnavailable("database unreachable") from error
    return Response(orjson.dumps({"status": "ok"}), media_type="application/json")


def _ping(runtime: Runtime) -> None:
    with runtime.database.read() as session:
        session.execute(text("SELECT 1"))
