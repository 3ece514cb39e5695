"""The country of an IP address, from the offline database `geoip2fast` ships (IPv4 and
IPv6). Loaded on first use (about 2 s and 50 MB), so a policy that never reads
`actor.country` for events without one never pays for it; a lookup costs about 25 µs."""

from __future__ import annotations

import threading
from functools import cache
from typing import Any

_LOCK = threading.Lock()


def country_of(ip: str | None) -> str:
    """The two-letter country code, or "" for private, reserved or unknown addresses."""
    if not ip:
        return ""
    found = _database().lookup(ip)
    code = getattr(found, "country_code", "")
    return code if isinstance(code, str) and len(code) == 2 and code.isalpha() else ""


@cache
def _database() -> Any:
    with _LOCK:
        from geoip2fast import GeoIP2Fast  # type: ignore[import-untyped]  # noqa: PLC0415

        return GeoIP2Fast(geoip2fast_data_file="geoip2fast-ipv6.dat.gz")
