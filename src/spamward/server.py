"""Running the ASGI app under uvicorn (uvloop and httptools when installed), and workers.

`serve` runs one API process with the app built in it (embedded mode), or N processes
(scaled mode) that each build their own from the same settings: uvicorn starts them from an
import string, so each reads the environment and the TOML file named by SPAMWARD_CONFIG.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import threading
from pathlib import Path

import uvicorn
from starlette.applications import Starlette

from spamward.app import create_app
from spamward.maintenance import MaintenanceWorker
from spamward.observability.endpoint import MULTIPROC_DIR
from spamward.observability.logs import configure_logging, uvicorn_log_config
from spamward.remediation.worker import ActionWorker
from spamward.runtime import build_runtime
from spamward.settings import Settings, load_settings, session_secret

CONFIG_VARIABLE = "SPAMWARD_CONFIG"
APP_FACTORY = "spamward.server:app_from_environment"
WORKER_START_SECONDS = 60


def serve(
    settings: Settings, host: str, port: int, workers: int = 1, config_file: Path | None = None
) -> None:
    """Serve on host:port with `workers` API processes; more than one needs the shared
    stores (see `scaled_mode_problem`)."""
    configure_logging(settings)  # this process's own lines (uvicorn's, with --workers)
    if workers == 1:
        _run(create_app(settings), settings, host, port)
        return
    if config_file is not None:  # the processes read it as the CLI did
        os.environ[CONFIG_VARIABLE] = str(config_file.resolve())
    # Made once here: processes each generating a missing secret would sign differently.
    session_secret(settings)
    os.environ.setdefault(MULTIPROC_DIR, str(_fresh_metrics_dir(settings)))
    _run(APP_FACTORY, settings, host, port, workers)


def _fresh_metrics_dir(settings: Settings) -> Path:
    """An empty directory for the API processes' metric files, so that `/metrics` on any of
    them sums all (see docs/operations.md; worker processes join when given the same)."""
    directory = settings.data_dir / "metrics"
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    return directory


def app_from_environment() -> Starlette:
    """The app of one API process of `serve --workers N` (uvicorn calls it in each)."""
    return create_app(load_settings())


def scaled_mode_problem(settings: Settings, workers: int) -> str | None:
    """Why `workers` API processes cannot share these settings' stores, or None."""
    if workers == 1:
        return None
    if settings.is_sqlite:
        return (
            f"--workers {workers} needs PostgreSQL (SPAMWARD_DATABASE_URL): SQLite is the "
            "one-process embedded mode"
        )
    if settings.redis_url is None:
        return (
            f"--workers {workers} needs Redis (SPAMWARD_REDIS_URL): without it each process "
            "would keep velocity counters of its own"
        )
    return None


def _run(app: Starlette | str, settings: Settings, host: str, port: int, workers: int = 1) -> None:
    url = f"http://{host}:{port}"
    shape = f", {workers} API processes" if workers > 1 else ""
    print(f"spamward on {url}/  (dashboard {url}/login, API docs {url}/docs{shape})", flush=True)
    uvicorn.run(
        app,
        factory=isinstance(app, str),
        workers=workers,
        # A process loads the extraction tables and the model before it answers: on a busy
        # machine that outlasts uvicorn's default 5 s, which would restart it in a loop.
        timeout_worker_healthcheck=WORKER_START_SECONDS,
        host=host,
        port=port,
        log_level=settings.log_level,
        log_config=uvicorn_log_config(settings),
        access_log=False,
        loop="auto",
        http="auto",
        server_header=False,
    )


def run_workers(settings: Settings, concurrency: int) -> None:
    """`spamward worker`: action workers (and the maintenance job) in a process of their
    own, until SIGTERM or Ctrl-C; a stopped worker finishes the action in hand."""
    configure_logging(settings)
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
