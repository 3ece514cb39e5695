"""`spamward` commands run as real processes by the tests, and polling for what they do."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from bench.scaled_processes import child_pids

DEADLINE_SECONDS = 60.0


def wait_until(condition: Callable[[], bool], what: str, timeout: float = DEADLINE_SECONDS,
               details: Callable[[], str] = lambda: "") -> None:  # fmt: skip
    """Poll `condition` until it holds; fail with `what` (and `details`) at the deadline."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:g}s waiting for {what}\n{details()}")
        time.sleep(0.05)


class Spawned:
    """A `spamward` command in a process of its own, its output in a log file."""

    def __init__(self, arguments: list[str], env: dict[str, str], log: Path) -> None:
        self.log = log
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "spamward", *arguments],
                env=env, stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip

    @property
    def pid(self) -> int:
        return self.process.pid

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def alive(self) -> bool:
        """True while it runs; fails the test with its output once it has exited."""
        if self.process.poll() is not None:
            pytest.fail(f"{self.process.args!r} exited with {self.process.returncode}:\n"
                        f"{self.output()}")  # fmt: skip
        return True

    def printed(self, marker: str) -> bool:
        """`marker` is in the output; fails the test if the process has exited."""
        return self.alive() and marker in self.output()

    def kill(self) -> None:
        """SIGKILL: no handler runs, nothing is cleaned up."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        """SIGTERM and wait (uvicorn's supervisor stops its API processes first)."""
        children = child_pids(self.pid)
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        for pid in children:  # orphans, if the parent had to be killed
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
