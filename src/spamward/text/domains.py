"""Host names: IDNA keys and registrable domains from the Public Suffix List (offline)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from publicsuffixlist import PublicSuffixList

# Private suffixes (github.io, blogspot.com) count: each site under them is its own owner.
_PSL = PublicSuffixList(only_icann=False)

_SHORTENERS = frozenset(
    {
        "bit.ly",
        "bitly.com",
        "tinyurl.com",
        "t.co",
        "goo.gl",
        "ow.ly",
        "is.gd",
        "buff.ly",
        "rebrand.ly",
        "cutt.ly",
        "shorturl.at",
        "rb.gy",
        "t.ly",
        "tiny.cc",
        "bl.ink",
        "s.id",
        "v.gd",
        "qr.ae",
        "lnkd.in",
        "soo.gd",
        "clck.ru",
        "shorte.st",
        "adf.ly",
        "bc.vc",
        "po.st",
        "su.pr",
        "x.co",
        "u.to",
        "j.mp",
        "",
    }
)


_LABEL_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")


@dataclass(frozen=True, slots=True)
class Host:
    key: str  # lower-case, punycode
    display: str  # lower-case, Unicode
    registrable_key: str
    registrable_display: str


def to_ascii(host: str) -> str | None:
    """The punycode form of a host name, or None when it cannot be one."""
    if len(host) > 253:
        return None
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return None


def _is_valid_label(label: str) -> bool:
    return (
        0 < len(label) <= 63
        and not label.startswith("-")
        and not label.endswith("-")
        and _LABEL_CHARS.issuperset(label)
    )


def to_unicode(ascii_host: str) -> str:
    try:
        return ascii_host.encode("ascii").decode("idna")
    except UnicodeError:
        return ascii_host


@lru_cache(maxsize=65536)
def parse_host(raw: str) -> Host | None:
    """A host with a known public suffix and a registrable part, else None."""
    key = to_ascii(raw.lower().rstrip("."))
    if not key or not all(map(_is_valid_label, key.split("."))):
        return None
    registrable = _PSL.privatesuffix(key, accept_unknown=False)
    if registrable is None:
        return None
    return Host(key, to_unicode(key), registrable, to_unicode(registrable))


def is_ipv4(host: str) -> bool:
    parts = host.split(".")
    return len(parts) == 4 and all(
        part.isdigit() and part.isascii() and int(part) <= 255 and len(part) <= 3 for part in parts
    )


def is_well_formed_host(host: str) -> bool:
    """Syntactically a host name (local ones too), whether or not its suffix is public."""
    key = to_ascii(host.lower().rstrip("."))
    return key is not None and key != "" and all(map(_is_valid_label, key.split(".")))


def registrable_domain(host: str) -> str | None:
    """The registrable domain of a host, in the host's own form (PSL semantics)."""
    if not host or host.startswith("."):
        return None
    result: str | None = _PSL.privatesuffix(host.lower())
    return result


def is_shortener(registrable_key: str) -> bool:
    return registrable_key in _SHORTENERS


def parent_domains(host_key: str) -> list[str]:
    """The host and each parent down to its registrable domain, for deny-list coverage."""
    host = parse_host(host_key)
    if host is None:
        return []
    labels = host.key.split(".")
    stop = len(host.registrable_key.split("."))
    return [".".join(labels[i:]) for i in range(len(labels) - stop + 1)]
