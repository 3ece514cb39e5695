"""E-mail addresses: canonical with a lower-case domain that has a real public suffix."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import re2

from spamward.text.domains import Host, parse_host

_CANDIDATE = re2.compile(r"[\p{L}\p{N}._%+-]+@(?:[\p{L}\p{N}-]+\.)+[\p{L}\p{N}-]+")


@dataclass(frozen=True, slots=True)
class FoundEmail:
    start: int
    end: int
    value: str
    host: Host


def find_emails(text: str) -> Iterator[FoundEmail]:
    for match in _CANDIDATE.finditer(text):
        local, _, domain = match.group().rpartition("@")
        local = local.strip(".")
        host = parse_host(domain)
        if not local or ".." in local or host is None:
            continue
        yield FoundEmail(match.start(), match.end(), f"{local}@{host.display}", host)
