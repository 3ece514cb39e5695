"""A fixed-rate (open-loop) HTTP load generator, since Debian packages no wrk2.

Request i is due at i / rate seconds after the start, whatever happened to the ones before
it: a dispatcher hands each due request to a queue, and keep-alive connections take them in
turn. A request's latency runs from its planned time, not from when a connection was free
to send it, so a server falling behind shows in the percentiles instead of slowing the
load down (the "coordinated omission" a closed-loop tool like wrk has); from the time it was
sent when that came first, as uvloop's timers, of millisecond resolution, may wake a little
early (waiting for the exact time would spin a core the server needs). Requests not
answered within `grace_s` after the schedule ends are counted as unanswered.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from bench.fixed_rate_http import HttpExchange, ProtocolError
from bench.fixed_rate_summary import Outcomes


@dataclass(frozen=True, slots=True)
class Load:
    host: str
    port: int
    requests: Sequence[bytes]  # whole HTTP/1.1 requests, sent in turn
    rate: float  # requests per second
    seconds: float
    connections: int
    grace_s: float


def planned_offsets(rate: float, seconds: float) -> list[float]:
    """When each request is due, in seconds after the start."""
    return [index / rate for index in range(round(rate * seconds))]


def run_load(load: Load) -> Outcomes:
    """Run `load` on an event loop of its own (uvloop when installed, as the server uses)."""
    with asyncio.Runner(loop_factory=_loop_factory()) as runner:
        return runner.run(_run(load))


def _loop_factory() -> type[asyncio.AbstractEventLoop] | None:
    try:
        import uvloop  # noqa: PLC0415  (optional)
    except ImportError:
        return None
    return uvloop.Loop


@dataclass
class _Run:
    load: Load
    outcomes: Outcomes
    queue: asyncio.Queue[int] = field(default_factory=asyncio.Queue)
    start: float = 0.0


async def _run(load: Load) -> Outcomes:
    offsets = planned_offsets(load.rate, load.seconds)
    run = _Run(load, Outcomes(offsets))
    exchanges = [await HttpExchange.open(load.host, load.port) for _ in range(load.connections)]
    run.start = time.perf_counter()
    senders = [asyncio.create_task(_send(run, exchange)) for exchange in exchanges]
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(_dispatch(run), load.seconds + load.grace_s)
    for sender in senders:
        sender.cancel()
    await asyncio.gather(*senders, return_exceptions=True)
    for exchange in exchanges:
        exchange.close()
    return run.outcomes


async def _dispatch(run: _Run) -> None:
    """Queue each request at its planned time, then wait until every one is answered."""
    for index, offset in enumerate(run.outcomes.planned_s):
        delay = run.start + offset - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        run.queue.put_nowait(index)
    await run.queue.join()


async def _send(run: _Run, exchange: HttpExchange) -> None:
    """One connection: take the next due request, send it, wait for its answer."""
    requests = run.load.requests
    while True:
        index = await run.queue.get()
        run.outcomes.sent_s[index] = time.perf_counter() - run.start
        try:
            status = await exchange.send(requests[index % len(requests)])
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ProtocolError):
            status = 0  # counted as an error; the exchange reconnects for the next one
        run.outcomes.answered_s[index] = time.perf_counter() - run.start
        run.outcomes.status[index] = status
        run.queue.task_done()
