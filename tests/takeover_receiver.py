"""A site's webhook endpoint for worker tests: a real HTTP server in the test process.

It records every delivery and applies each delivery's effect once per idempotency key, as a
site following docs/webhooks.md does, so a repeated delivery is answered without being
applied again. With `latency`, each answer takes that long, as a site doing work does, so
that concurrent workers overlap. With `hold_first`, the first delivery of each key is held
open (the worker waits on its answer) until the test calls `release()`: a worker can be
killed mid-action.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType

from spamward.remediation.signing import EVENT_HEADER, IDEMPOTENCY_HEADER

HOLD_LIMIT_SECONDS = 60  # a held request gives up on its own if a test forgets it


@dataclass(frozen=True)
class Delivery:
    key: str
    event: str
    headers: dict[str, str]
    body: bytes


class TakeoverReceiver:
    def __init__(self, *, hold_first: bool = False, latency: float = 0.0) -> None:
        self.hold_first = hold_first
        self.latency = latency  # seconds each answer takes, like a site doing work
        self.deliveries: list[Delivery] = []
        self.effects: Counter[str] = Counter()  # effects applied, by idempotency key
        self.answered: Counter[str] = Counter()  # responses written (or attempted), by key
        self.held = threading.Event()  # set when a first delivery is being held
        self._release = threading.Event()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/hooks/spamward"

    def __enter__(self) -> TakeoverReceiver:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.release()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(10)

    def release(self) -> None:
        """Let held requests go on: apply their effect (once per key) and answer."""
        self._release.set()

    def snapshot(self) -> list[Delivery]:
        with self._lock:
            return list(self.deliveries)

    def keys(self) -> Counter[str]:
        """Deliveries by idempotency key."""
        with self._lock:
            return Counter(delivery.key for delivery in self.deliveries)

    def _receive(self, delivery: Delivery) -> bool:
        """Record a delivery; True when it is to be held."""
        with self._lock:
            first = all(seen.key != delivery.key for seen in self.deliveries)
            self.deliveries.append(delivery)
        if first and self.hold_first:
            self.held.set()
            return True
        return False

    def _apply(self, key: str) -> None:
        with self._lock:
            if self.effects[key] == 0:  # a repeated key is acknowledged, not applied again
                self.effects[key] += 1

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                key = self.headers.get(IDEMPOTENCY_HEADER, "")
                delivery = Delivery(key, self.headers.get(EVENT_HEADER, ""),
                                    dict(self.headers.items()), body)  # fmt: skip
                if receiver._receive(delivery):
                    receiver._release.wait(HOLD_LIMIT_SECONDS)
                if receiver.latency:
                    time.sleep(receiver.latency)
                receiver._apply(key)
                with receiver._lock:
                    receiver.answered[key] += 1
                # The worker may be gone (killed while we held its request).
                with contextlib.suppress(OSError):
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"{}")

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

        return Handler
