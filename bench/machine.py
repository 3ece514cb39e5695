"""What the figures were measured on."""

from __future__ import annotations

import os
import platform
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Machine:
    cpu_model: str
    cpus: int
    kernel: str
    python: str
    commit: str
    measured_at: str


def describe_machine() -> Machine:
    return Machine(
        cpu_model=_cpu_model(),
        cpus=len(os.sched_getaffinity(0)),
        kernel=f"{platform.system()} {platform.release()}",
        python=platform.python_version(),
        commit=_commit(),
        measured_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
        if line.startswith("model name"):
            return line.partition(":")[2].strip()
    return platform.processor() or "unknown"


def _commit() -> str:
    command = ["git", "describe", "--always", "--dirty"]
    repository = Path(__file__).resolve().parents[1]
    result = subprocess.run(command, cwd=repository, capture_output=True, text=True, check=False)
    return result.stdout.strip() or "unknown"
