"""A local DNS resolver that answers NXDOMAIN to every query, for Rspamd in the bench.

Rspamd is configured with this as its only nameserver, so no lookup it still makes leaves
the machine or waits on a timeout: each gets an immediate "no such name". The resolver
counts the names it was asked, so the report can show that the scans made none.
"""

from __future__ import annotations

import socket
import socketserver
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

HEADER_LENGTH = 12
QUESTION_TAIL = 4  # QTYPE and QCLASS after the name
QR = 0x8000  # the message is a response
OPCODE = 0x7800
RD = 0x0100  # recursion desired, echoed back
RA = 0x0080  # recursion available
NXDOMAIN = 3
LABEL_POINTER = 0xC0


def nxdomain_answer(query: bytes) -> bytes | None:
    """The NXDOMAIN response to a one-question `query`; None for what is not such a query."""
    question_end = _question_end(query)
    if question_end is None:
        return None
    flags = int.from_bytes(query[2:4], "big")
    answer_flags = QR | (flags & (OPCODE | RD)) | RA | NXDOMAIN
    counts = (1).to_bytes(2, "big") + bytes(6)  # one question, no records
    return query[:2] + answer_flags.to_bytes(2, "big") + counts + query[HEADER_LENGTH:question_end]


def queried_name(query: bytes) -> str:
    """The dotted name asked in a query that `nxdomain_answer` accepts."""
    labels, position = [], HEADER_LENGTH
    while length := query[position]:
        labels.append(query[position + 1 : position + 1 + length].decode("ascii", "replace"))
        position += 1 + length
    return ".".join(labels)


def _question_end(query: bytes) -> int | None:
    """Where the only question of `query` ends, if it is a well-formed one-question query."""
    if len(query) < HEADER_LENGTH or query[2] & (QR >> 8):
        return None
    if int.from_bytes(query[4:6], "big") != 1:
        return None
    position = HEADER_LENGTH
    while position < len(query) and (length := query[position]):
        if length & LABEL_POINTER:
            return None
        position += 1 + length
    end = position + 1 + QUESTION_TAIL
    return end if end <= len(query) else None


class NxdomainServer(socketserver.UDPServer):
    """Answers every query with NXDOMAIN and counts the names asked."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.names: Counter[str] = Counter()

    @property
    def port(self) -> int:
        port: int = self.server_address[1]
        return port


class _Handler(socketserver.BaseRequestHandler):
    server: NxdomainServer
    request: tuple[bytes, socket.socket]

    def handle(self) -> None:
        query, reply_socket = self.request
        answer = nxdomain_answer(query)
        if answer is not None:
            self.server.names[queried_name(query)] += 1
            reply_socket.sendto(answer, self.client_address)


@contextmanager
def nxdomain_resolver() -> Iterator[NxdomainServer]:
    """A running NxdomainServer on a free loopback UDP port, stopped on the way out."""
    server = NxdomainServer()
    thread = threading.Thread(target=server.serve_forever, args=(0.1,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
