"""Rendering templates with the CSRF token and the security headers every page sends."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates

from spamward.dashboard.security import SECURITY_HEADERS, csrf_token

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")  # autoescape on for .html


def render(request: Request, name: str, status: int = 200, **context: Any) -> Response:
    context["csrf_token"] = csrf_token(request)
    response = templates.TemplateResponse(request, name, context, status_code=status)
    response.headers.update(SECURITY_HEADERS)
    return response
