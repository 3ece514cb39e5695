"""Obfuscated dots and schemes: `example[.]com`, `example (dot) com`, `example dot com`,
`hxxps://`. The raw text is matched as written; these helpers give its canonical form."""

from __future__ import annotations

import re2

_SEPARATOR = r"(?:\.|\[\.\]|\(\.\)|\{\.\}|\s?\[dot\]\s?|\s?\(dot\)\s?|\s?\{dot\}\s?|\sdot\s)"
_LABEL = r"[\p{L}\p{N}-]+"
BARE_HOST = rf"(?i)(?:{_LABEL}{_SEPARATOR})+{_LABEL}"

_SEPARATORS = re2.compile(r"(?i)\s?[\[({]\.[\])}]\s?|\s?[\[({]dot[\])}]\s?|\sdot\s")
_SPELLED_DOT = re2.compile(r"(?i)\sdot\s")
_SCHEMES = {"hxxp": "http", "hxxps": "https", "h**p": "http", "h**ps": "https"}
# "the dot com bubble", "a dot com": a spelled-out dot after such a word is prose.
_PROSE_WORDS = frozenset(
    "a an the this that these those my your our their his her its is was be to of in on at "
    "for from with by no not so like big whole any".split()
)


def canonical_host_text(raw: str) -> str:
    """`example [dot] com:8080` -> `example.com:8080`."""
    if not any(marker in raw for marker in "[({ "):
        return raw
    canonical: str = _SEPARATORS.sub(".", raw)
    return canonical


def is_prose(raw: str) -> bool:
    """A spelled-out dot that reads as ordinary words (`the dot com era`)."""
    match = _SPELLED_DOT.search(raw)
    if match is None:
        return False
    first_word = raw[: match.start()].rsplit(None, 1)[-1].lower()
    return first_word in _PROSE_WORDS


def canonical_scheme(prefix: str) -> str:
    """`HXXPS://` -> `https://`; the scheme part of a link start, lower-case."""
    scheme = prefix.lower().removesuffix("://")
    return _SCHEMES.get(scheme, scheme) + "://"
