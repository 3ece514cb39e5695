"""URLs and the domains they name.

RE2 finds candidates in linear time; each is trimmed of trailing punctuation and kept only
when its host has a real public suffix (or it has an explicit scheme and an IPv4 host).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

import re2

from spamward.text.domains import Host, parse_host

# Label lengths and hyphen placement are checked by IDNA afterwards: counted repetitions
# over Unicode classes would blow RE2's DFA up and push it onto its slow NFA.
_CANDIDATE = re2.compile(
    r"(?i)(?:https?|ftp)://[^\s<>\"'`]+"
    r"|(?:[\p{L}\p{N}-]+\.)+[\p{L}\p{N}-]+(?::\d+)?(?:[/?#][^\s<>\"'`]*)?"
)
_TRAILING = ".,;:!?'\"*_~"
_CLOSERS = {")": "(", "]": "[", "}": "{", ">": "<"}


@dataclass(frozen=True, slots=True)
class FoundUrl:
    start: int
    end: int
    display: str  # without scheme: what a moderator reads and what lists key on
    host: Host | None  # None for IP hosts


def find_urls(text: str) -> Iterator[FoundUrl]:
    for match in _CANDIDATE.finditer(text):
        start, end = match.span()
        if _touches_email(text, start, end):
            continue
        raw = _trim(text[start:end])
        found = _parse(raw, start)
        if found is not None:
            yield found


def _touches_email(text: str, start: int, end: int) -> bool:
    return (start > 0 and text[start - 1] == "@") or (end < len(text) and text[end] == "@")


def _trim(raw: str) -> str:
    while raw:
        last = raw[-1]
        if last in _TRAILING or (last in _CLOSERS and raw.count(last) > raw.count(_CLOSERS[last])):
            raw = raw[:-1]
        else:
            break
    return raw


def _parse(raw: str, start: int) -> FoundUrl | None:
    has_scheme = "://" in raw
    try:
        parts = urlsplit(raw if has_scheme else f"http://{raw}")
        hostname = parts.hostname
        parts.port  # noqa: B018  (raises ValueError on a bad port)
    except ValueError:
        return None
    if not hostname:
        return None
    if _is_ipv4(hostname):
        if not has_scheme:
            return None
        return FoundUrl(start, start + len(raw), _display(parts, hostname), None)
    host = parse_host(hostname)
    if host is None:
        return None
    return FoundUrl(start, start + len(raw), _display(parts, host.display), host)


def _is_ipv4(hostname: str) -> bool:
    try:
        ipaddress.IPv4Address(hostname)
    except ValueError:
        return False
    return True


def _display(parts: SplitResult, host: str) -> str:
    port = f":{parts.port}" if parts.port and parts.port not in (80, 443) else ""
    path = "" if parts.path == "/" and not parts.query else parts.path
    query = f"?{parts.query}" if parts.query else ""
    return f"{host}{port}{path}{query}"
