"""An app served by a real uvicorn on a loopback port, in a thread of the test."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from starlette.types import ASGIApp
from uvicorn.config import LifespanType

START_TIMEOUT_S = 15.0
STOP_TIMEOUT_S = 15.0


@contextmanager
def serving_in_thread(app: ASGIApp, lifespan: LifespanType = "off") -> Iterator[str]:
    """The base URL of `app` served on 127.0.0.1 until the block ends. The lifespan is off
    by default: the test's TestClient has usually started the app already."""
    # Binding here (port 0) and handing uvicorn the socket leaves no window for another
    # process to take the port between choosing and listening.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    host, port = sock.getsockname()
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False,
                            lifespan=lifespan)  # fmt: skip
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="test-uvicorn", daemon=True
    )
    thread.start()
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not server.started:
            thread.join(timeout=0.02)  # returns at once if the server thread died
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=STOP_TIMEOUT_S)
        sock.close()
    if thread.is_alive():
        raise RuntimeError("uvicorn did not shut down")
