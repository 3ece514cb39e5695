"""Disguised digits, rewritten to plain ones with a map back to the original offsets.

Spammers spell numbers out ("five five five, one two three, four five six seven"), mix words
and digits ("call 555 one two three 4567") and type the letter O for a zero ("8OO-555-O199").
`digit_view` rewrites such stretches so the matcher sees digits; whatever it finds there is
mapped back onto the words as written. Text without disguises is returned as it is.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from itertools import islice, pairwise

import re2

_DIGIT_WORDS = {
    "zero": "0",
    "oh": "0",
    "o": "0",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
}
_WORD = r"\b(?:zero|oh|o|one|two|three|four|five|six|seven|eight|nine)\b"
_DIGITS_MAYBE_WITH_OS = r"[0-9Oo]*[0-9][0-9Oo]*"
_TOKEN = rf"(?:{_WORD}|{_DIGITS_MAYBE_WITH_OS}\b)"
_GAP = r"[ \t,.\-/]+"
# Two number words at least, with digits or more words around them.
_SPELLED_RUN = rf"(?:[0-9]+{_GAP})*{_WORD}(?:{_GAP}[0-9]+)*{_GAP}{_WORD}(?:{_GAP}{_TOKEN})*"
_LETTER_O_NUMBER = r"\b(?:[0-9]+[Oo]|[Oo]+[0-9])[0-9Oo]*\b"
DISGUISE = rf"(?i:(?P<spelled>{_SPELLED_RUN})|(?P<letter_o>{_LETTER_O_NUMBER}))"
_DISGUISE = re2.compile(DISGUISE)
_LETTER_O = str.maketrans("Oo", "00")
# Between number words: digit groups (maybe with letter Os) and separators; commas would
# stop the matcher, so they become spaces.
_BETWEEN_WORDS = str.maketrans(",Oo", " 00")
_WORD_OR_DIGITS = re2.compile(rf"(?i){_WORD}|{_DIGITS_MAYBE_WITH_OS}")

# A spelled stretch must clearly form a number: several number words, enough digits, and not
# a whole page of them.
MIN_SPELLED_WORDS = 2
MIN_SPELLED_DIGITS = 7
MAX_SPELLED_CHARS = 160
MAX_DISGUISES = 256  # rewritten per text: enough for any post, bounded for a hostile one


@dataclass(frozen=True, slots=True)
class _Shortened:
    """A number word in the original text that became one digit in the view."""

    view_at: int
    original_start: int
    original_end: int


@dataclass(frozen=True, slots=True)
class DigitView:
    text: str
    _shortened: tuple[_Shortened, ...] = ()
    _view_positions: tuple[int, ...] = field(default=(), repr=False)

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The span of the original text that `text[start:end]` (non-empty) was made from."""
        return self._original_start(start), self._original_end(end)

    def _original_start(self, position: int) -> int:
        index = bisect_right(self._view_positions, position) - 1
        if index < 0:
            return position
        word = self._shortened[index]
        if position == word.view_at:
            return word.original_start
        return position + word.original_end - word.view_at - 1

    def _original_end(self, position: int) -> int:
        index = bisect_right(self._view_positions, position - 1) - 1
        if index < 0:
            return position
        word = self._shortened[index]
        return position + word.original_end - word.view_at - 1


def digit_view(text: str) -> DigitView:
    """`text` with spelled-out digits and letter-O zeros rewritten as digits."""
    pieces: list[str] = []
    shortened: list[_Shortened] = []
    done = 0
    view_length = 0
    for match in islice(_DISGUISE.finditer(text), MAX_DISGUISES):
        start, end = match.span()
        pieces.append(text[done:start])
        view_length += start - done
        if match.group("letter_o") is not None:
            rewritten = _letter_o_as_zero(match.group())
        else:
            rewritten = _spelled_as_digits(match.group(), start, view_length, shortened)
        pieces.append(rewritten)
        view_length += len(rewritten)
        done = end
    pieces.append(text[done:])
    return DigitView("".join(pieces), tuple(shortened), tuple(s.view_at for s in shortened))


def _letter_o_as_zero(word: str) -> str:
    return word if len(word) < 3 else word.translate(_LETTER_O)  # "O2" stays a brand


def _is_a_list(run: str, tokens: list[tuple[int, int]]) -> bool:
    """Counting separates every word by a comma ("one, two, three"); a number groups them."""
    return all("," in run[before[1] : after[0]] for before, after in pairwise(tokens))


def _spelled_as_digits(run: str, start: int, view_start: int, shortened: list[_Shortened]) -> str:
    """The run with number words as digits and commas as spaces, if it clearly is a number."""
    if len(run) > MAX_SPELLED_CHARS:
        return run
    tokens = list(_WORD_OR_DIGITS.finditer(run))
    is_word = [token.group().lower() in _DIGIT_WORDS for token in tokens]
    words = [token for token, word in zip(tokens, is_word, strict=True) if word]
    digit_count = sum(
        1 if word else len(token.group()) for token, word in zip(tokens, is_word, strict=True)
    )
    if (
        len(words) < MIN_SPELLED_WORDS
        or digit_count < MIN_SPELLED_DIGITS
        or _is_a_list(run, [token.span() for token in tokens])
    ):
        return run
    pieces: list[str] = []
    done = 0
    view_at = view_start
    for word in words:
        between = run[done : word.start()].translate(_BETWEEN_WORDS)
        view_at += len(between)
        shortened.append(_Shortened(view_at, start + word.start(), start + word.end()))
        pieces += [between, _DIGIT_WORDS[word.group().lower()]]
        view_at += 1
        done = word.end()
    pieces.append(run[done:].translate(_BETWEEN_WORDS))
    return "".join(pieces)
