"""Running the ASGI app under uvicorn (uvloop and httptools when installed)."""

from __future__ import annotations

import uvicorn

from spamward.app import create_app
from spamward.settings import Settings


def serve(settings: Settings, host: str, port: int) -> None:
    app = create_app(settings)
    print(
        f"spamward listening on http://{host}:{port}/  (dashboard: /login, API docs: /docs)",
        flush=True,
    )
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level=settings.log_level,
        access_log=False,
        loop="auto",
        http="auto",
        server_header=False,
    )
