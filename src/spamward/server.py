"""Running the ASGI app under uvicorn (uvloop and httptools when installed), and workers."""

from __future__ import annotations

import contextlib
import signal
import threading

import uvicorn

from spamward.app import create_app
from spamward.maintenance import MaintenanceWorker
from spamward.remediation.worker import ActionWorker
from spamward.runtime import build_runtime
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


def run_workers(settings: Settings, concurrency: int) -> None:
    """`spamward worker`: action workers (and the maintenance job) in a process of their
    own, until SIGTERM or Ctrl-C; a stopped worker finishes the action in hand."""
    runtime = build_runtime(settings)
    workers: list[ActionWorker | MaintenanceWorker] = [ActionWorker(runtime, concurrency)]
    if settings.maintenance_interval_seconds:
        workers.append(MaintenanceWorker(runtime, settings.maintenance_interval_seconds))
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    for worker in workers:
        worker.start()
    print(f"spamward worker: {concurrency} action thread(s) on {_where(settings)}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        stopping.wait()
    for worker in workers:
        worker.stop()
    runtime.close()


def _where(settings: Settings) -> str:
    return settings.database_url.split("://", 1)[0]
