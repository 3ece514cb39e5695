"""Timing one call at a time with perf_counter_ns, after a warm-up."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

Item = TypeVar("Item")


@dataclass(frozen=True, slots=True)
class Timing:
    name: str
    calls: int
    median_us: float
    p99_us: float


def time_calls(
    name: str, call: Callable[[Item], object], inputs: Sequence[Item], calls: int, warmup: int
) -> Timing:
    """Call `call` on `inputs` in turn: `warmup` calls unmeasured, then `calls` measured."""
    for index in range(warmup):
        call(inputs[index % len(inputs)])
    samples = [0] * calls
    for index in range(calls):
        item = inputs[(warmup + index) % len(inputs)]
        started = time.perf_counter_ns()
        call(item)
        samples[index] = time.perf_counter_ns() - started
    samples.sort()
    return Timing(name, calls, statistics.median(samples) / 1000, _p99(samples) / 1000)


def _p99(ordered: list[int]) -> int:
    return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
