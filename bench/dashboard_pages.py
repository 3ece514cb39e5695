"""Timing the dashboard's pages over HTTP as a moderator sees them: log in through the form
(the CSRF token read from it, the session kept in the cookie), then GET each page WARMUPS
times unmeasured and CALLS times measured, one request at a time, the whole body read."""

from __future__ import annotations

import html
import math
import re
import statistics
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass

import httpx

ROUTES = (
    "/overview", "/spam/domains", "/spam/urls", "/spam/phones", "/spam/emails", "/spam/texts",
    "/spam/entity/{id}", "/spam/lists", "/users", "/users/{user_id}", "/reviews", "/actions",
    "/defined-actions", "/rules", "/rules/versions", "/settings", "/decisions",
)  # fmt: skip
CALLS = 20
WARMUPS = 2
TARGET_MS = 200.0  # the target for every page, read against the p95
SLOW_PAGE_S = 10.0  # a page whose first load takes longer is timed SLOW_CALLS times only
SLOW_CALLS = 2
TIMEOUT_S = 120.0  # a request taking longer is abandoned, and the page reported
_CSRF = re.compile(r'name="csrf_token" value="([^"]*)"')


@dataclass(frozen=True, slots=True)
class PageTiming:
    route: str
    path: str
    status: int  # the first status other than 200 the page answered, else 200; 0: timeout
    calls: int  # 0: not timed (not built: 404, or its first load timed out)
    first_ms: float  # the first load, the server's caches cold
    median_ms: float
    p95_ms: float
    max_ms: float
    kib: float  # the page's size
    target: str  # ok, OVER (p95 at or past TARGET_MS), missing, timeout or HTTP <status>


def time_pages(
    serve: Callable[[], AbstractContextManager[str]],
    email: str,
    password: str,
    paths: list[tuple[str, str]],
    progress: Callable[[str], None],
) -> list[PageTiming]:
    """Each (route, path) timed in turn, logged in, on the server `serve` starts (and
    yields the URL of). A request that timed out leaves the server busy with it, so the
    server is started afresh for the pages after it."""
    timings: list[PageTiming] = []
    while len(timings) < len(paths):
        with serve() as base_url, httpx.Client(base_url=base_url, timeout=TIMEOUT_S) as client:
            log_in(client, email, password)
            for route, path in paths[len(timings) :]:
                timing = time_page(client, route, path)
                progress(f"    {path}: HTTP {timing.status}, first {timing.first_ms:.0f} ms, "
                         f"p50 {timing.median_ms:.1f} ms, p95 {timing.p95_ms:.1f} ms")  # fmt: skip
                timings.append(timing)
                if timing.status == 0:
                    break
    return timings


def log_in(client: httpx.Client, email: str, password: str) -> None:
    form = client.get("/login")
    found = _CSRF.search(form.text)
    if form.status_code != 200 or found is None:
        raise RuntimeError(f"no login form with a csrf_token at /login (HTTP {form.status_code})")
    fields = {"email": email, "password": password, "csrf_token": html.unescape(found[1]),
              "next": "/overview"}  # fmt: skip
    answer = client.post("/login", data=fields)
    if answer.status_code != 303 or answer.headers.get("location") != "/overview":
        raise RuntimeError(f"login refused: HTTP {answer.status_code}")


def time_page(client: httpx.Client, route: str, path: str) -> PageTiming:
    """The first load (cold: the server's caches empty), then the warm-ups and the timed
    calls; a page slower than SLOW_PAGE_S on its first load gets no more warm-up and only
    SLOW_CALLS timed calls, and a timeout ends its timing."""
    first_ms, first = _get(client, path)
    if first is None:
        target = f"timeout {TIMEOUT_S:.0f} s"
        return PageTiming(route, path, 0, 0, first_ms, 0.0, 0.0, 0.0, 0.0, target)
    if first.status_code == 404:
        return PageTiming(route, path, 404, 0, first_ms, 0.0, 0.0, 0.0, 0.0, "missing")
    slow = first_ms > SLOW_PAGE_S * 1000
    warmups, calls = (0, SLOW_CALLS) if slow else (WARMUPS - 1, CALLS)
    samples, status = [], first.status_code
    for call in range(warmups + calls):
        ms, answer = _get(client, path)
        if answer is None:
            status = 0
            break
        status = status if status != 200 else answer.status_code
        if call >= warmups:
            samples.append(ms)
    size = len(first.content) / 1024
    return _timing(route, path, status, first_ms, sorted(samples) or [first_ms], size)


def _get(client: httpx.Client, path: str) -> tuple[float, httpx.Response | None]:
    """The time of a GET in ms, and its answer (None: timed out)."""
    started = time.perf_counter()
    try:
        answer = client.get(path)
    except httpx.TimeoutException:
        answer = None
    return (time.perf_counter() - started) * 1000, answer


def _timing(
    route: str, path: str, status: int, first_ms: float, ordered: list[float], kib: float
) -> PageTiming:
    p95 = ordered[math.ceil(0.95 * len(ordered)) - 1]  # nearest rank
    target = "ok" if p95 < TARGET_MS else "OVER"
    if status != 200:
        target = f"timeout {TIMEOUT_S:.0f} s" if status == 0 else f"HTTP {status}"
    median = statistics.median(ordered)
    return PageTiming(route, path, status, len(ordered), first_ms, median, p95, ordered[-1], kib,
                      target)  # fmt: skip
