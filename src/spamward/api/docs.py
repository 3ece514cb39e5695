"""/openapi.json and a /docs page rendered on the server from it (no CDN, no script)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from spamward.dashboard.security import SECURITY_HEADERS

_templates = Jinja2Templates(directory=Path(__file__).parent / "templates")


def docs_routes(spec: dict[str, Any]) -> list[Route]:
    spec_bytes = orjson.dumps(spec)

    async def openapi_json(request: Request) -> Response:
        return Response(spec_bytes, media_type="application/json")

    async def docs_page(request: Request) -> Response:
        response = _templates.TemplateResponse(
            request, "docs.html", {"spec": spec, "pretty": _pretty}
        )
        response.headers.update(SECURITY_HEADERS)
        return response

    return [Route("/openapi.json", openapi_json), Route("/docs", docs_page)]


def _pretty(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_INDENT_2).decode()
