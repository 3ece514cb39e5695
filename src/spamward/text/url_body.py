"""Where a link ends: enclosures, unbalanced brackets and trailing punctuation.

The rules follow what people mean when they write links in prose, Markdown and HTML:
a link that opens right after `(`, `[`, `{`, `"`, `'` or `` ` `` ends at the matching
closer; trailing punctuation is not part of a link; a trailing closer without its opener in
the link is dropped when the link sits inside that kind of bracket. Each scan stops at the
first white space or at a length cap, so the work is linear in the text.
"""

from __future__ import annotations

MAX_LINK_CHARS = 4096
STOPS = frozenset(" \t\n\r\f\v<>|\\`\u00a0")
_PAIRS = {"(": ")", "[": "]", "{": "}", "<": ">"}
_OPENERS = {closer: opener for opener, closer in _PAIRS.items()}
_QUOTES = frozenset("\"'")
_TRAILING = frozenset(".,;:!?*~")
_LOOKBACK = 256


def body_end(text: str, start: int, body_start: int) -> int:
    """The end of the link whose body starts at `body_start` (the link at `start`)."""
    before = text[start - 1] if start > 0 else ""
    closer = _PAIRS.get(before) or (before if before in _QUOTES else None)
    limit = min(len(text), start + MAX_LINK_CHARS)
    depth = 0
    position = body_start
    while position < limit:
        char = text[position]
        if char in STOPS or (char == closer and depth == 0):
            break
        if closer in _OPENERS and char == _OPENERS[closer]:
            depth += 1
        elif char == closer:
            depth -= 1
        position += 1
    return _trim(text, start, position, enclosed=closer is not None)


def _trim(text: str, start: int, end: int, *, enclosed: bool) -> int:
    while end > start:
        last = text[end - 1]
        if (
            last in _TRAILING
            or (last in _QUOTES and text.count(last, start, end) % 2 == 1)
            or (last in _OPENERS and _unbalanced(text, start, end, last, enclosed=enclosed))
        ):
            end -= 1
        else:
            return end
    return end


def _unbalanced(text: str, start: int, end: int, closer: str, *, enclosed: bool) -> bool:
    opener = _OPENERS[closer]
    if text.count(closer, start, end) <= text.count(opener, start, end):
        return False
    if enclosed:
        return True
    lookback = max(0, start - _LOOKBACK)
    return text.count(opener, lookback, start) > text.count(closer, lookback, start)
