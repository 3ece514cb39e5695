"""Links in text: with a scheme (also glued to the word before, and `hxxp`-style), protocol-
relative (`//host`), `mailto:`, and bare domains (`www.example.com/x`, `example.com`,
obfuscated `example[.]com`, `example dot com`).

A link with a scheme may name any well-formed host; a bare one counts only when its host ends
in a real public suffix, or is an IPv4 address. Candidates come from RE2 in linear time and
each stretch of text is scanned about once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import re2

from spamward.text.domains import Host, is_ipv4, is_well_formed_host, parse_host
from spamward.text.emails import find_emails
from spamward.text.skeleton import fold_mixed_script_labels
from spamward.text.url_body import body_end
from spamward.text.url_obfuscation import (
    BARE_HOST,
    canonical_host_text,
    canonical_scheme,
    is_prose,
)

Re2Pattern = Any  # the RE2 binding ships no type hints
Re2Match = Any

_LINK_START = re2.compile(
    r"(?i)(?:svn\+ssh|https?|hxxps?|h\*\*ps?|ftps?|sftp|wss?|git)://|mailto:|//"
)
_BARE_LINK = re2.compile(BARE_HOST + r"(?::\d{1,5})?")
_SPACED = re2.compile(r"(?:^|\s)((?:[\p{L}\p{N}./-] ){4,}[\p{L}\p{N}/])(?:\s|$)")
_NOT_BEFORE_BARE = frozenset(".:/_@-")
_NOT_BEFORE_PROTOCOL_RELATIVE = frozenset(":/_\\")
_DEFAULT_PORTS = (None, 80, 443)
_MAX_HOST_CHARS = 300  # DNS names stop at 253; allow for obfuscated dots


@dataclass(frozen=True, slots=True)
class FoundUrl:
    start: int
    end: int
    display: str  # no scheme, lower-case Unicode host, port unless default, path and query
    host: Host | None  # None for IP addresses and hosts without a public suffix
    mailto: str | None = None  # the address of a `mailto:` link


# Both finders walk one `finditer` pass (the RE2 binding re-encodes the whole text on every
# `search(text, pos)`, which would make a text full of links quadratic) and skip candidates
# that fall inside a link already found.


def find_scheme_links(text: str) -> Iterator[FoundUrl]:
    """Links that say they are links: `scheme://…`, `//host…` and `mailto:…`."""
    return _walk(_LINK_START, text, lambda m: _scheme_link(text, m.start(), m.end(), m.group()))


def find_bare_links(text: str) -> Iterator[FoundUrl]:
    """Domains and URLs written without a scheme."""
    return _walk(_BARE_LINK, text, lambda m: _bare_link(text, m.start(), m.end(), m.group()))


def _walk(
    pattern: Re2Pattern, text: str, link_at: Callable[[Re2Match], FoundUrl | None]
) -> Iterator[FoundUrl]:
    """Each candidate `pattern` finds that is not inside a link already found, as a link."""
    covered_until = 0
    for match in pattern.finditer(text):
        if match.start() >= covered_until and (link := link_at(match)) is not None:
            covered_until = link.end
            yield link


def find_spaced_links(text: str) -> Iterator[FoundUrl]:
    """Links spelled out with a space between every character: `b i t . l y / x y z`."""
    for match in _SPACED.finditer(text):
        joined = match.group(1).replace(" ", "")
        link = next(find_bare_links(joined), None)
        if link is not None and (link.start, link.end) == (0, len(joined)):
            yield FoundUrl(match.start(1), match.end(1), link.display, link.host)


def _scheme_link(text: str, start: int, after: int, prefix: str) -> FoundUrl | None:
    lowered = prefix.lower()
    if lowered == "mailto:":
        return _mailto(text, start, after)
    if lowered == "//" and not _protocol_relative_allowed(text, start, after):
        return None
    end = body_end(text, start, after)
    scheme = "http://" if lowered == "//" else canonical_scheme(prefix)
    rest = text[after:end]
    authority_end = min((i for i in map(rest.find, "/?#") if i >= 0), default=len(rest))
    rest = canonical_host_text(rest[:authority_end]) + rest[authority_end:]
    return _link(start, end, scheme + rest, bare=False)


def _protocol_relative_allowed(text: str, start: int, after: int) -> bool:
    before = text[start - 1] if start else " "
    if before in _NOT_BEFORE_PROTOCOL_RELATIVE or before.isalnum():
        return False
    host = urlsplit("http:" + text[start : body_end(text, start, after)]).hostname or ""
    return host == "localhost" or "." in host  # a lone word after // is a path, not a host


def _mailto(text: str, start: int, after: int) -> FoundUrl | None:
    end = body_end(text, start, after)
    address = text[after:end].split("?", 1)[0]
    if "@" not in address:
        return None
    email = next(find_emails(address), None)
    if email is None or (email.start, email.end) != (0, len(address)):
        return FoundUrl(start, end, address, None, address)  # a link, but no real address
    return FoundUrl(start, end, email.value, email.host, email.value)


def _bare_link(text: str, start: int, host_end: int, raw_host: str) -> FoundUrl | None:
    if host_end - start > _MAX_HOST_CHARS:
        return None
    before = text[start - 1] if start else " "
    after = text[host_end] if host_end < len(text) else " "
    if before in _NOT_BEFORE_BARE or after in "@_" or after.isalnum() or is_prose(raw_host):
        return None
    has_path = after in "/?#"
    end = body_end(text, start, host_end) if has_path else host_end
    url = "http://" + canonical_host_text(raw_host) + text[host_end:end]
    return _link(start, end, url, bare=True)


def _link(start: int, end: int, url: str, *, bare: bool) -> FoundUrl | None:
    """The link `url` names (its canonical form), or None when its host is not one."""
    try:
        parts = urlsplit(url)
        hostname, port = parts.hostname, parts.port
    except ValueError:
        return None
    if not hostname:
        return None
    hostname = fold_mixed_script_labels(hostname)
    host = None if is_ipv4(hostname) else parse_host(hostname)
    if host is None and not is_ipv4(hostname) and (bare or not is_well_formed_host(hostname)):
        return None
    shown_host = host.display if host else hostname
    shown_port = "" if port in _DEFAULT_PORTS else f":{port}"
    path = "" if parts.path == "/" and not parts.query else parts.path
    query = f"?{parts.query}" if parts.query else ""
    return FoundUrl(start, end, f"{shown_host}{shown_port}{path}{query}", host)
