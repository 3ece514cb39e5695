"""The text around an address: where it starts and ends, and what it must not touch.

An address is a whole token or nothing: one glued to another '@', a backslash, a comment's
parenthesis or an unpaired quote or angle bracket is part of something malformed, and
nothing is carved out of it. Whitespace, list separators, brackets and sentence
punctuation end an address; Markdown and quotes around it are not part of it.
"""

from __future__ import annotations

import unicodedata

_LEFT_GLUE = frozenset("@)]\\")
_RIGHT_GLUE = frozenset("@([\\")
_OPENERS = {'"': '"', "<": ">"}  # before the address: it needs its closer after it
_CLOSERS = {">": "<"}  # after the address: it needs its opener before it
_WRAPPERS = frozenset("*_~`'")  # Markdown emphasis and code, single quotes
_URL_DELIMITERS = "/?&=#"
_NOT_TEXT = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})
_NAME_SYMBOLS = frozenset("_.%+-")
_MAX_NAME = 64  # a local part is at most 64 octets (RFC 5321): a longer run is no name


def name_start(text: str, at_start: int) -> int | None:
    """Where the name before a spelled-out "at" starts, read backwards; None if none."""
    start = at_start
    while start > 0 and at_start - start <= _MAX_NAME and _is_name_char(text[start - 1]):
        start -= 1
    return start if 0 < at_start - start <= _MAX_NAME else None


def url_cut(local: str) -> int | None:
    """Where an address inside a URL's path or query starts (0 outside URLs); None when
    the '@' ends a URL's user information (`//user@host`)."""
    if not local.startswith("//") and "." not in local.partition("/")[0]:
        return 0
    cut = max(local.rfind(delimiter) for delimiter in _URL_DELIMITERS) + 1
    return None if local.startswith("//") and cut == 2 else cut


def wrapper_width(text: str, local: str, end: int) -> int:
    """The width of a mirrored wrapper (`**name@host**`, `` `name@host` ``, `'name@host'`)
    that opens the local part and closes at `end`, or 0."""
    width = 0
    while width < len(local) and local[width] in _WRAPPERS:
        width += 1
    return width if text[end : end + width] == local[:width][::-1] else 0


def stands_alone(text: str, start: int, end: int) -> bool:
    """Whether `text[start:end]` is a token of its own, not part of a malformed one."""
    before = _base(text[start - 1]) if start > 0 else " "
    after = _base(text[end]) if end < len(text) else " "
    if _continues_a_word(before) or _not_text(before) or _not_text(after):
        return False
    if before in _LEFT_GLUE or after in _RIGHT_GLUE:
        return False
    return _OPENERS.get(before, after) == after and _CLOSERS.get(after, before) == before


def _base(char: str) -> str:
    """A character's compatibility base: "≮" is an angle bracket, "＠" an at-sign."""
    return char if char.isascii() else unicodedata.normalize("NFKD", char)[:1] or char


def _continues_a_word(char: str) -> bool:
    """A letter, digit, mark, dot or hyphen before an address would be part of it."""
    return char.isalnum() or char in ".-" or unicodedata.category(char).startswith("M")


def _is_name_char(char: str) -> bool:
    if char.isascii():
        return char.isalnum() or char in _NAME_SYMBOLS
    return char.isalpha() or char.isdecimal() or unicodedata.category(char).startswith("M")


def _not_text(char: str) -> bool:
    return not char.isspace() and unicodedata.category(char) in _NOT_TEXT
