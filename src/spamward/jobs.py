"""Background jobs of a process (backtests): one thread, so a long job never competes
with decisions for more than one core."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait


class Jobs:
    def __init__(self) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="spamward-job")
        self._lock = threading.Lock()
        self._pending: set[Future[None]] = set()

    def submit(self, job: Callable[[], None]) -> None:
        future = self._executor.submit(job)
        with self._lock:
            self._pending.add(future)
        future.add_done_callback(self._forget)

    def drain(self) -> None:
        """Wait until every job submitted so far has finished."""
        with self._lock:
            pending = set(self._pending)
        wait(pending)

    def shutdown(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)

    def _forget(self, future: Future[None]) -> None:
        with self._lock:
            self._pending.discard(future)
