"""Running the ASGI app under uvicorn (uvloop and httptools when installed)."""

from __future__ import annotations

import uvicorn

from spamward.app import create_app
from spamward.settings import Settings


def serve(settings: Settings, host: str, port: int) -> None:
    app = create_app(settings)
    url = f"http://{host}:{port}"
    print(f"spamward on {url}/  (dashboard {url}/login, API docs {url}/docs)", flush=True)
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
