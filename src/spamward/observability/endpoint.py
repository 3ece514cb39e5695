"""`GET /metrics`: the Prometheus text format, not behind the API key.

With `PROMETHEUS_MULTIPROC_DIR` set (several `serve` and `worker` processes), the counters
and histograms are the sum over every process's file in that directory; without it, this
process's own. The database gauges are read by whichever process answers.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest
from prometheus_client.metrics_core import Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import CollectorRegistry
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from spamward.observability.collector import DatabaseGauges
from spamward.runtime import Runtime
from spamward.settings import Settings

MULTIPROC_DIR = "PROMETHEUS_MULTIPROC_DIR"  # prometheus_client's own switch, read at import


class _ThisProcess:
    """The process registry's metrics (ours, and the process and GC figures)."""

    def collect(self) -> Iterable[Metric]:
        return REGISTRY.collect()


def scrape_registry(runtime: Runtime) -> CollectorRegistry:
    registry = CollectorRegistry()
    multiproc_dir = os.environ.get(MULTIPROC_DIR)
    if multiproc_dir:
        MultiProcessCollector(registry, multiproc_dir)  # type: ignore[no-untyped-call]
    else:
        registry.register(_ThisProcess())
    registry.register(DatabaseGauges(runtime))
    return registry


def metrics_routes(settings: Settings, runtime: Runtime) -> list[BaseRoute]:
    if not settings.metrics_enabled:
        return []
    registry = scrape_registry(runtime)

    async def metrics(request: Request) -> Response:
        body = await run_in_threadpool(generate_latest, registry)
        return Response(body, media_type=CONTENT_TYPE_LATEST)

    return [Route("/metrics", metrics, methods=["GET"])]
