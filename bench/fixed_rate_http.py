"""One keep-alive HTTP/1.1 connection of the fixed-rate generator: a request's bytes out,
the status of its answer back, on raw asyncio streams (an HTTP client library costs more
CPU than the server it measures, on two shared cores)."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping


class ProtocolError(Exception):
    """An answer the generator cannot read (no Content-Length, say)."""


def http_request(host: str, path: str, body: bytes, headers: Mapping[str, str]) -> bytes:
    """A POST with `body`, ready to send as it is."""
    lines = [f"POST {path} HTTP/1.1", f"Host: {host}", f"Content-Length: {len(body)}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


class HttpExchange:
    """A connection that sends one request at a time and reads each answer whole; after a
    failure it reconnects on the next request."""

    def __init__(self, host: str, port: int) -> None:
        self._host, self._port = host, port
        self._streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    @classmethod
    async def open(cls, host: str, port: int) -> HttpExchange:
        exchange = cls(host, port)
        exchange._streams = await asyncio.open_connection(host, port)
        return exchange

    async def send(self, request: bytes) -> int:
        """The answer's status code; the connection is closed if anything goes wrong."""
        try:
            return await self._exchange(request)
        except BaseException:
            self.close()
            raise

    async def _exchange(self, request: bytes) -> int:
        if self._streams is None:
            self._streams = await asyncio.open_connection(self._host, self._port)
        reader, writer = self._streams
        writer.write(request)
        head = await reader.readuntil(b"\r\n\r\n")
        status, length, closing = read_head(head)
        await reader.readexactly(length)
        if closing:
            self.close()
        return status

    def close(self) -> None:
        if self._streams is not None:
            self._streams[1].close()
            self._streams = None


def read_head(head: bytes) -> tuple[int, int, bool]:
    """The status, the body's length and whether the server closes the connection."""
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in filter(None, header_lines):
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip().lower()
    if "content-length" not in headers:
        raise ProtocolError(f"no Content-Length in {status_line!r}")
    closing = headers.get("connection") == "close"
    return int(status_line.split(" ", 2)[1]), int(headers["content-length"]), closing
