"""E-mail addresses in running text, plain or obfuscated, in canonical form.

`value` is the local part as written, '@', and the domain lower-case in Unicode. Forms:
`name@host.com`, `mailto:` links, `<name@host.com>`, Markdown (`**name@host.com**`,
`[name@host.com](mailto:…)`), `name [at] host [dot] com`, `name(at)host(dot)com`,
`name@host[.]com`, and `name at host dot com` where it is unambiguous (email_rules).
Fullwidth forms (`name＠host．com`) are folded by normalisation upstream.

Where an address may start and end is email_context's; what it may be, email_rules'.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import NamedTuple

from spamward.text import email_context, email_rules
from spamward.text.domains import Host
from spamward.text.email_patterns import (
    ASCII_AT_DOMAIN,
    ASCII_PLAIN,
    AT_DOMAIN,
    DOT_SPLIT,
    OBFUSCATED_CANDIDATE,
    PLAIN,
    PLAIN_CANDIDATE,
)

# Longer regions cannot hold an address (254 octets and some obfuscation): only their start
# is parsed, which keeps adversarial runs ("a@a@a@…") linear.
_MAX_REGION = 1024
_NO_SURROGATES = dict.fromkeys(range(0xD800, 0xE000), 0)
_SPELLED_AT = ("at", "AT", "At", "aT")
Spans = list[tuple[int, int]]


@dataclass(frozen=True, slots=True)
class FoundEmail:
    start: int
    end: int
    value: str
    host: Host


class _Parts(NamedTuple):
    start: int
    local: str
    at: str
    domain: str

    @property
    def end(self) -> int:
        return self.start + len(self.local) + len(self.at) + len(self.domain)


_Parser = Callable[[str, int, int], _Parts | None]


def find_emails(text: str) -> Iterator[FoundEmail]:
    text, plain, obfuscated = _candidates(text)
    found = [*_found(text, plain, _plain_parts), *_found(text, obfuscated, _obfuscated_parts)]
    end = 0
    for email in sorted(found, key=lambda email: email.start):
        if email.start >= end:
            end = email.end
            yield email


def _candidates(text: str) -> tuple[str, Spans, Spans]:
    """The text to read (the same length) and the spans of its plain and obfuscated
    candidates. Each pass runs only where its letters are: most posts need neither."""
    has_at_sign = "@" in text
    if not has_at_sign and not any(at in text for at in _SPELLED_AT):
        return text, [], []
    if text.isascii():  # bytes spare RE2's wrapper the character offsets: they are the same
        return text, *_spans(text.encode("ascii"), has_at_sign)
    try:
        return text, *_spans(text, has_at_sign)
    except UnicodeEncodeError:  # lone surrogates, which UTF-8 cannot carry, are not text
        text = text.translate(_NO_SURROGATES)
        return text, *_spans(text, has_at_sign)


def _spans(text: str | bytes, has_at_sign: bool) -> tuple[Spans, Spans]:
    plain = PLAIN_CANDIDATE.finditer(text) if has_at_sign else ()
    obfuscated = OBFUSCATED_CANDIDATE.finditer(text)
    return [match.span() for match in plain], [match.span() for match in obfuscated]


def _found(text: str, spans: Spans, parse: _Parser) -> Iterator[FoundEmail]:
    for start, end in spans:
        parts = parse(text, start, min(end, start + _MAX_REGION))
        if parts is not None and (parts.end < start + _MAX_REGION or parts.end == end):
            found = _accept(text, parts)
            if found is not None:
                yield found


def _plain_parts(text: str, start: int, end: int) -> _Parts | None:
    region = text[start:end]
    match = (ASCII_PLAIN if region.isascii() else PLAIN).match(region)
    if match is None:
        return None
    local, domain = match.group(1), match.group(2)
    cut = email_context.url_cut(local)
    return None if cut is None else _Parts(start + cut, local[cut:], "@", domain)


def _obfuscated_parts(text: str, start: int, end: int) -> _Parts | None:
    region = text[start:end]
    match = (ASCII_AT_DOMAIN if region.isascii() else AT_DOMAIN).match(region)
    name_start = email_context.name_start(text, start)
    if match is None or name_start is None:
        return None
    return _Parts(name_start, text[name_start:start], match.group(1), match.group(2))


def _accept(text: str, parts: _Parts) -> FoundEmail | None:
    wrapper = email_context.wrapper_width(text, parts.local, parts.end)
    start, local = parts.start + wrapper, parts.local[wrapper:]
    if not email_context.stands_alone(text, parts.start, parts.end + wrapper):
        return None
    if not email_rules.is_dot_atom(local):
        return None
    host = email_rules.mail_host(DOT_SPLIT.split(parts.domain))
    if host is None or not email_rules.within_sizes(local, host):
        return None
    if not email_rules.reads_as_address(parts.at, local, DOT_SPLIT.findall(parts.domain), host):
        return None
    return FoundEmail(start, parts.end, f"{local}@{host.display}", host)
