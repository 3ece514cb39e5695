"""Running wrk with the event-posting Lua script and reading its --latency report."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

SCRIPT = Path(__file__).with_name("post_events.lua")
THREADS = 2
TIMEOUT_SECONDS = 2
_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
_DURATION = r"(\d+(?:\.\d+)?)(us|ms|s|m|h)"


@dataclass(frozen=True, slots=True)
class WrkRun:
    threads: int
    connections: int
    duration_s: float
    requests: int
    requests_per_s: float
    latency_p50_ms: float
    latency_p99_ms: float
    non_2xx: int
    socket_errors: int
    timeouts: int


def wrk_version() -> str:
    executable = shutil.which("wrk")
    if executable is None:
        raise RuntimeError("wrk is not installed (`make system` installs it)")
    output = subprocess.run([executable, "-v"], capture_output=True, text=True, check=False)
    return (output.stdout or output.stderr).splitlines()[0].strip()


def run_wrk(url: str, bodies: Path, api_key: str, connections: int, seconds: int) -> WrkRun:
    load = [f"-t{THREADS}", f"-c{connections}", f"-d{seconds}s", f"--timeout={TIMEOUT_SECONDS}s"]
    command = ["wrk", *load, "--latency", "-s", str(SCRIPT), url, "--", str(bodies), api_key]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return parse_wrk(output, connections)


def parse_wrk(output: str, connections: int) -> WrkRun:
    requests, amount, unit = _groups(r"(\d+) requests in " + _DURATION, output)
    socket_errors = _socket_errors(output)
    return WrkRun(
        threads=THREADS,
        connections=connections,
        duration_s=_milliseconds(amount, unit) / 1000,
        requests=int(requests),
        requests_per_s=float(_groups(r"Requests/sec:\s+([\d.]+)", output)[0]),
        latency_p50_ms=_milliseconds(*_groups(r"\s50%\s+" + _DURATION, output)),
        latency_p99_ms=_milliseconds(*_groups(r"\s99%\s+" + _DURATION, output)),
        non_2xx=int(_groups(r"bench non-2xx responses: (\d+)", output)[0]),
        socket_errors=sum(socket_errors[:3]),
        timeouts=socket_errors[3],
    )


def _groups(pattern: str, output: str) -> tuple[str, ...]:
    match = re.search(pattern, output)
    if match is None:
        raise ValueError(f"no {pattern!r} in the output of wrk:\n{output}")
    return match.groups()


def _milliseconds(amount: str, unit: str) -> float:
    return float(amount) * _UNIT_MS[unit]


def _socket_errors(output: str) -> list[int]:
    """Connect, read, write and timeout counts; wrk prints them only when there are any."""
    match = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    return [int(count) for count in match.groups()] if match else [0, 0, 0, 0]


def wrk_errors(run: WrkRun) -> str | None:
    """What went wrong in a run, or None for a clean one."""
    counts = {
        "non-2xx responses": run.non_2xx,
        "socket errors": run.socket_errors,
        f"timeouts (over {TIMEOUT_SECONDS} s)": run.timeouts,
    }
    found = [f"{count} {what}" for what, count in counts.items() if count]
    return ", ".join(found) or None
