"""Normalisation shared by every extractor, with a map back to the original offsets.

Three steps, each keeping an offset map only when it changes something:
1. invisible characters (Default_Ignorable_Code_Point: zero-width characters, bidi controls,
   soft hyphen, BOM, variation selectors, tag characters, Hangul fillers) are removed, before
   NFKC so that a zero-width joiner cannot keep a letter from its accent;
2. NFKC (ｂｉｔ．ｌｙ → bit.ly, 𝐋𝐨𝐚𝐧 → Loan), computed piece by piece so that each output
   character knows which original characters it came from;
3. each run of whitespace (any Unicode White_Space, newlines included) becomes one space.

Homoglyphs are not folded here (see skeleton.py): digits and non-Latin text must survive.
Every step is linear in the text's length and skipped, quickly, when it would change nothing:
a typical ASCII post is returned as it is, with no map.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field

import re2

_INVISIBLE_RANGES = (
    (0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160), (0x17B4, 0x17B5),
    (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x206F), (0x3164, 0x3164),
    (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0), (0xFFF0, 0xFFFB),
    (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A), (0xE0000, 0xE0FFF),
)  # fmt: skip
# Starters that are no NFKC boundary: they combine with the character before them (Hangul
# vowels and finals, two-part Indic vowels) or decompose into combining marks.
_JOINS_PREVIOUS_RANGES = (
    (0x09BE, 0x09BE), (0x09D7, 0x09D7), (0x0B3E, 0x0B3E), (0x0B56, 0x0B57), (0x0BBE, 0x0BBE),
    (0x0BD7, 0x0BD7), (0x0CC2, 0x0CC2), (0x0CD5, 0x0CD6), (0x0D3E, 0x0D3E), (0x0D57, 0x0D57),
    (0x0DCF, 0x0DCF), (0x0DDF, 0x0DDF), (0x0F73, 0x0F73), (0x0F75, 0x0F75), (0x0F81, 0x0F81),
    (0x102E, 0x102E), (0x1161, 0x1175), (0x11A8, 0x11C2), (0x1B35, 0x1B35), (0x3133, 0x3133),
    (0x3135, 0x3136), (0x313A, 0x313F), (0x314F, 0x3163), (0xFF9E, 0xFF9F), (0xFFA3, 0xFFA3),
    (0xFFA5, 0xFFA6), (0xFFAA, 0xFFAF), (0xFFC2, 0xFFC7), (0xFFCA, 0xFFCF), (0xFFD2, 0xFFD7),
    (0xFFDA, 0xFFDC), (0x11127, 0x11127), (0x1133E, 0x1133E), (0x11357, 0x11357),
    (0x114B0, 0x114B0), (0x114BA, 0x114BA), (0x114BD, 0x114BD), (0x115AF, 0x115AF),
    (0x11930, 0x11930),
)  # fmt: skip
_JOINS_PREVIOUS = frozenset(
    code for low, high in _JOINS_PREVIOUS_RANGES for code in range(low, high + 1)
)
_INVISIBLE = re.compile(
    "[" + "".join(f"\\U{low:08x}-\\U{high:08x}" for low, high in _INVISIBLE_RANGES) + "]+"
)
# Only to tell whether there is any: RE2 scans UTF-8 several times faster than `re` a str.
_HAS_INVISIBLE = re2.compile(
    (
        "[" + "".join(f"\\x{{{low:x}}}-\\x{{{high:x}}}" for low, high in _INVISIBLE_RANGES) + "]"
    ).encode()
)
# What str.isspace() accepts, but a space, and NFKC keeps (it makes the others spaces),
# for str.find: it finds them far faster than a regular expression does.
_ODD_WHITESPACE = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f\x85\u1680\u2028\u2029"
_WHITESPACE_NEEDLES = ("  ", *_ODD_WHITESPACE)
_ASCII_WHITESPACE_NEEDLES = _WHITESPACE_NEEDLES[:10]
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_WHITESPACE = re.compile(r"\s+")
# Longer segments are decomposed and put in order here first: CPython orders combining marks
# with an insertion sort, quadratic on a long run of them.
_LONG_SEGMENT = 32


_Step = tuple[str, "_OffsetMap | None"]


@dataclass(frozen=True, slots=True)
class Normalised:
    """Normalised text and where each of its characters came from in the original."""

    original: str
    text: str
    _steps: tuple[_OffsetMap, ...] = field(default=(), repr=False, compare=False)

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The span of the original that `text[start:end]` was made from (half-open).

        A character that NFKC made from several, or several made from one, maps to all of
        them, and a folded space to its whole whitespace run; removed characters are inside
        the span only when they are between its ends. An empty span maps to an empty span.
        """
        if not 0 <= start <= end <= len(self.text):
            raise ValueError(f"span {start}:{end} is outside the text (length {len(self.text)})")
        for step in reversed(self._steps):
            start, end = step.span(start, end)
        return start, end


def normalise(text: str) -> Normalised:
    """`text` in NFKC, without invisible characters, its whitespace runs one space each."""
    steps = (_fold_whitespace,) if text.isascii() else (_remove_invisible, _nfkc, _fold_whitespace)
    offset_maps = []
    current = text
    for step in steps:
        current, offsets = step(current)
        if offsets is not None:
            offset_maps.append(offsets)
    return Normalised(text, current, tuple(offset_maps))


class _OffsetMap:
    """Where each character of one step's output came from in that step's input.

    An edit maps output[out_start:out_end] to input[in_start:in_end] as a whole (out_start ==
    out_end: removed); elsewhere characters map one to one, shifted by the edits before them.
    """

    __slots__ = ("_edits", "_starts", "length")

    def __init__(self) -> None:
        self._starts: list[int] = []  # out_start of each edit, for bisect
        self._edits: list[tuple[int, int, int]] = []  # out_end, in_start, in_end
        self.length = 0  # of the output

    def add(self, out_start: int, out_end: int, in_start: int, in_end: int) -> None:
        self._starts.append(out_start)
        self._edits.append((out_end, in_start, in_end))

    def span(self, start: int, end: int) -> tuple[int, int]:
        if start == end:
            point = self._cell(start)[0] if start < self.length else self._end_point()
            return point, point
        return self._cell(start)[0], self._cell(end - 1)[1]

    def _cell(self, position: int) -> tuple[int, int]:
        index = bisect_right(self._starts, position) - 1
        if index < 0:
            return position, position + 1
        out_end, in_start, in_end = self._edits[index]
        if position < out_end:
            return in_start, in_end
        shifted = position + in_end - out_end
        return shifted, shifted + 1

    def _end_point(self) -> int:
        return self._cell(self.length - 1)[1] if self.length else 0


def _remove_invisible(text: str) -> _Step:
    if _HAS_INVISIBLE.search(text.encode("utf-8", "surrogatepass")) is None:
        return text, None
    return _rewrite(text, ((m.start(), m.end(), "") for m in _INVISIBLE.finditer(text)))


def _nfkc(text: str) -> _Step:
    if unicodedata.is_normalized("NFKC", text):
        return text, None
    return _rewrite(text, _nfkc_changes(text))


def _fold_whitespace(text: str) -> _Step:
    hits = _whitespace_hits(text)
    if not hits:
        return text, None
    return _rewrite(text, _whitespace_runs(text, hits))


def _whitespace_hits(text: str) -> list[int]:
    """Positions in each run of whitespace other than a lone space, and in no other place."""
    if text.isascii():
        needles = _ASCII_WHITESPACE_NEEDLES
    else:
        needles = ("  ",) if text.isprintable() else _WHITESPACE_NEEDLES
    hits = []
    for needle in needles:
        position = text.find(needle)
        while position >= 0:
            hits.append(position)
            position = text.find(needle, position + len(needle))
    return hits


def _whitespace_runs(text: str, hits: list[int]) -> Iterator[tuple[int, int, str]]:
    run_end = 0
    # Linear: the hits are a few sorted runs, which Timsort merges.
    for hit in sorted(hits):
        if hit >= run_end:
            # Only a lone space can come before the first hit in a run.
            start = hit - 1 if hit > 0 and text[hit - 1] == " " else hit
            run_end = _WHITESPACE.match(text, hit).end()  # type: ignore[union-attr]  # a space
            yield start, run_end, " "


def _rewrite(text: str, changes: Iterator[tuple[int, int, str]]) -> _Step:
    """`text` with each (start, end, replacement) applied, in order, and its offset map."""
    pieces: list[str] = []
    offsets = _OffsetMap()
    position = written = 0
    for start, end, replacement in changes:
        pieces.append(text[position:start])
        pieces.append(replacement)
        written += start - position
        offsets.add(written, written + len(replacement), start, end)
        written += len(replacement)
        position = end
    if not pieces:
        return text, None
    pieces.append(text[position:])
    offsets.length = written + len(text) - position
    return "".join(pieces), offsets


def _nfkc_changes(text: str) -> Iterator[tuple[int, int, str]]:
    """Segments that NFKC changes, and what it makes of them.

    ASCII characters never interact with what precedes them, so each run of non-ASCII text
    is normalised with the character before it (it may carry the run's accents).
    """
    for run in _NON_ASCII.finditer(text):
        start = max(run.start() - 1, 0)
        if unicodedata.is_normalized("NFKC", text[start : run.end()]):
            continue
        for segment_start, segment_end in _segments(text, start, run.end()):
            segment = text[segment_start:segment_end]
            normalised = _nfkc_segment(segment)
            if normalised != segment:
                yield segment_start, segment_end, normalised


def _segments(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Split text[start:end] before each character that nothing before it combines with."""
    segment_start = start
    for position in range(start + 1, end):
        char = text[position]
        if char < "\x80" or (not unicodedata.combining(char) and ord(char) not in _JOINS_PREVIOUS):
            yield segment_start, position
            segment_start = position
    yield segment_start, end


def _nfkc_segment(segment: str) -> str:
    if len(segment) > _LONG_SEGMENT:
        segment = _decomposed_in_order(segment)
    return unicodedata.normalize("NFKC", segment)


def _decomposed_in_order(segment: str) -> str:
    """NFKD, with each run of combining marks put in canonical order by a bucket sort."""
    pieces: list[str] = []
    marks: dict[int, list[str]] = {}
    for char in segment:
        for part in unicodedata.normalize("NFKD", char):
            combining_class = unicodedata.combining(part)
            if combining_class:
                marks.setdefault(combining_class, []).append(part)
            else:
                _flush_marks(marks, pieces)
                pieces.append(part)
    _flush_marks(marks, pieces)
    return "".join(pieces)


def _flush_marks(marks: dict[int, list[str]], pieces: list[str]) -> None:
    pieces.extend(mark for combining_class in sorted(marks) for mark in marks[combining_class])
    marks.clear()
