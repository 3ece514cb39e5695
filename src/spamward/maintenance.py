"""Background maintenance in the serving process (embedded mode): the retention job, every
`maintenance_interval_seconds`. A failing run is logged and tried again next time."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from spamward.runtime import Runtime
from spamward.services.retention import RetentionReport, run_retention

log = logging.getLogger("spamward.maintenance")


class MaintenanceWorker:
    def __init__(
        self,
        runtime: Runtime,
        interval_seconds: float,
        on_run: Callable[[RetentionReport], None] | None = None,
    ) -> None:
        self._runtime = runtime
        self._interval = interval_seconds
        self._on_run = on_run
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="spamward-maintenance", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 10) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._run_once()
            self._stop.wait(self._interval)

    def _run_once(self) -> None:
        try:
            report = run_retention(self._runtime)
        except Exception:  # the job runs again next interval; the server keeps serving
            log.exception("retention run failed")
            return
        log.info("retention: %s", report)
        if self._on_run is not None:
            self._on_run(report)
