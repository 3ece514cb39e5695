"""Real endpoints for remediation tests: a threaded HTTP webhook receiver and an SMTP server.

Both listen on 127.0.0.1 on a free port and record what they receive, so a test checks
what a site (or a mail server) actually got over the wire.
"""

from __future__ import annotations

import email
import email.policy
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import orjson
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from bench.server import free_port

from spamward.remediation.signing import (
    IDEMPOTENCY_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    verify_signature,
)


@dataclass(frozen=True)
class Delivery:
    """One request as the receiver got it, and what it answered."""

    path: str
    headers: dict[str, str]  # names in lower case
    body: bytes
    status: int  # what the receiver answered
    verified: bool | None  # the signature checked out (None: the receiver has no secret)

    @property
    def json(self) -> Any:
        return orjson.loads(self.body)

    def header(self, name: str) -> str:
        return self.headers[name.lower()]

    @property
    def key(self) -> str:
        return self.header(IDEMPOTENCY_HEADER)


@dataclass
class WebhookReceiver:
    """A site's webhook endpoint: answers the statuses it is told, in order (then
    `then_status`), checks signatures when it knows the secret, and applies each delivery's
    effect once per idempotency key, as a site following docs/webhooks.md does.

    With `apply_before_answer`, the effect is applied before the answer is sent, whatever
    the answer: a site that did the work and then failed (or whose answer was lost), which
    is exactly when only the idempotency key prevents doing it twice."""

    secret: str | None = None
    then_status: int = 200
    apply_before_answer: bool = False
    hang_until: threading.Event | None = None  # requests hang unanswered until it is set
    deliveries: list[Delivery] = field(default_factory=list)
    applied: list[str] = field(default_factory=list)  # idempotency keys, each applied once
    _statuses: list[int] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None, "the receiver is not started"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/hook"

    def answer(self, *statuses: int, then: int | None = None) -> None:
        """Answer these statuses to the next requests, in order, then `then` (default: the
        current `then_status`)."""
        with self._lock:
            self._statuses = list(statuses)
            if then is not None:
                self.then_status = then

    def handle(self, path: str, raw_headers: dict[str, str], body: bytes) -> int:
        headers = {name.lower(): value for name, value in raw_headers.items()}
        verified = None
        if self.secret is not None:
            verified = verify_signature(
                self.secret,
                headers.get(TIMESTAMP_HEADER.lower(), ""),
                headers.get(SIGNATURE_HEADER.lower(), ""),
                body,
            )
        with self._lock:
            status = self._statuses.pop(0) if self._statuses else self.then_status
            if verified is False:
                status = 401  # a site refuses what it cannot trust, and applies nothing
            key = headers.get(IDEMPOTENCY_HEADER.lower())
            applies = 200 <= status < 300 or self.apply_before_answer
            if key and verified is not False and applies and key not in self.applied:
                self.applied.append(key)  # a repeat of a key is acknowledged, not re-applied
            self.deliveries.append(Delivery(path, headers, body, status, verified))
        return status

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                if receiver.hang_until is not None:
                    receiver.hang_until.wait(timeout=60)
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                status = receiver.handle(self.path, dict(self.headers.items()), body)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass  # quiet: the test reads `deliveries`

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        serving = threading.Thread(target=self._server.serve_forever, args=(0.02,), daemon=True)
        serving.start()

    def stop(self) -> None:
        if self.hang_until is not None:
            self.hang_until.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


@contextmanager
def webhook_receiver(secret: str | None = None, **options: Any) -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver(secret=secret, **options)
    receiver.start()
    try:
        yield receiver
    finally:
        receiver.stop()


@dataclass(frozen=True)
class Mail:
    mail_from: str | None
    rcpt_tos: list[str]
    message: EmailMessage

    @property
    def body(self) -> str:
        content = self.message.get_content()
        assert isinstance(content, str)
        return content


@dataclass
class MailCollector:
    """An aiosmtpd handler keeping every message; addresses in `refuse` are refused at RCPT,
    as a mail server does for an unknown mailbox."""

    refuse: set[str] = field(default_factory=set)
    messages: list[Mail] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        content = envelope.content
        raw = content.encode() if isinstance(content, str) else content or b""
        message = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        with self._lock:
            self.messages.append(Mail(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


@contextmanager
def smtp_server(refuse: Iterable[str] = ()) -> Iterator[tuple[MailCollector, int]]:
    """A running SMTP server on 127.0.0.1: its collector and its port."""
    collector = MailCollector(refuse=set(refuse))
    port = free_port()
    controller = Controller(collector, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield collector, port
    finally:
        controller.stop()
