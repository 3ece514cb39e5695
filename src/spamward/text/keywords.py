"""Keyphrases found through obfuscation: homoglyphs, leetspeak, case, spacing, separators.

`compile_keyphrase("cash money").find("c4$h m0ney, 𝐜𝐚𝐬𝐡money, c.a.s.h-money")` finds all three.

The text is normalised (NFKC, invisible characters removed), then folded one character to one
byte (see `Alphabet`): a character that passes for letters becomes the byte of that set of
letters (а, 𝐚, 4 and @ all pass for "a"; 1, | and I for "i" or "l"), ASCII digits and
punctuation stay themselves, anything else is a separator or, for other letters, a NUL. A
keyphrase compiles to one RE2 pattern over those bytes: each letter is the class of the bytes
that pass for it, repeated ("ca||ller"); separators may come between any two letters
("v e r y"); a plural s may follow; no letter or digit may touch either end. RE2 runs in
linear time, so "voi" + "|" * 10_000 + "a" costs what any text of that length costs.

A match that reads plainly, the keyphrase's words between non-letters in any case, or one of
the `exclude` alternatives as a word, is dropped: this finds obfuscated writing, which a
plain keyword rule catches anyway. `excludes(text)` tells whether `text` reads so. That
check runs on Latin-1 bytes too (other letters become NUL): RE2 compiles Unicode letter
classes slowly, milliseconds for each keyphrase.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from typing import Any

import re2

from spamward.text.normalise import Normalised, normalise
from spamward.text.skeleton import letter_lookalikes

_SEPARATORS = rb"[\x01-\x2f\x3a-\x40\x5b-\x60\x7b-\xbf]*"
_EDGE = rb"[^0-9A-Za-z\xc0-\xff]"
_LATIN1 = re2.Options()
_LATIN1.encoding = re2.Options.Encoding.LATIN1
_LATIN1.log_errors = False  # a bad `exclude` is the caller's ValueError, not a log line
# Look-alikes made of two letters, as Unicode's confusables list them ("rn" for "m").
_PAIRS = {"m": "rn", "w": "vv"}
_OTHER_LETTER = re.compile(r"[^\W\x00-\xff]")
_NOT_LATIN1 = re.compile(r"[^\x00-\xff]")
_PLAIN_LETTER = "".join(f"\\x{code:02x}" for code in range(0x100) if chr(code).isalnum())
_PLAIN_GAP = f"[^_\\x00{_PLAIN_LETTER}]"


@dataclass(frozen=True, slots=True)
class FoldedText:
    """A text folded once for every keyphrase that searches it."""

    normalised: Normalised
    folded: bytes  # one byte per character of normalised.text, between two separators


def fold_text(text: str) -> FoldedText:
    normalised = normalise(text)
    return FoldedText(normalised, b" " + alphabet().fold(normalised.text) + b" ")


class KeywordMatcher:
    """A compiled keyphrase; build it with `compile_keyphrase`."""

    def __init__(self, keyphrase: str, pattern: Any, plain: Any) -> None:  # RE2 has no types
        self.keyphrase = keyphrase
        self._pattern = pattern
        self._plain = plain

    def find(self, text: str) -> list[str]:
        """The obfuscated writings of the keyphrase in `text`, as written, in order."""
        return [text[start:end] for start, end in self.spans(fold_text(text))]

    def spans(self, text: FoldedText) -> list[tuple[int, int]]:
        """Where `find` finds them: (start, end) offsets in the original text."""
        found = []
        original = text.normalised.original
        position = 0
        while (match := self._pattern.search(text.folded, position)) is not None:
            start, end = match.span(1)
            position = end
            span = text.normalised.original_span(start - 1, end - 1)
            if not self.excludes(original[span[0] : span[1]]):
                found.append(span)
        return found

    def excludes(self, text: str) -> bool:
        """Whether `text` holds the keyphrase written plainly, or an `exclude` alternative."""
        return self._plain.search(_plain_bytes(text)) is not None


def compile_keyphrase(keyphrase: str, exclude: str = "") -> KeywordMatcher:
    """A matcher for `keyphrase`, which must hold a letter or digit; `exclude` is an RE2
    alternation of Latin-1 words that are no obfuscation ("all|alle"). Raises ValueError."""
    atoms = [
        char
        for char in unicodedata.normalize("NFKC", keyphrase).lower()
        if not char.isspace() and not unicodedata.combining(char)
    ]
    if not any(atom.isalnum() for atom in atoms):
        raise ValueError(f"keyphrase {keyphrase!r} has no letter or digit")
    pattern = _compile(_pattern(atoms, alphabet()), "keyphrase")
    words = [re2.escape(_plain_bytes(word)).decode("latin-1") for word in keyphrase.split()]
    alternatives = f"{_PLAIN_GAP}+".join(words) + (f"|(?i:{exclude})" if exclude else "")
    edged = f"(?:^|{_PLAIN_GAP})(?:{alternatives})s?(?:{_PLAIN_GAP}|$)"
    try:
        plain = edged.encode("latin-1")
    except UnicodeEncodeError as error:
        raise ValueError(f"exclude {exclude!r} is not Latin-1") from error
    return KeywordMatcher(keyphrase, pattern, _compile(plain, "exclude"))


def _pattern(atoms: list[str], letters: Alphabet) -> bytes:
    parts = [_atom_pattern(atom, letters) for atom in atoms]
    plural = b"(?:" + letters.byte_class("s") + b")?" if atoms[-1].isalpha() else b""
    return _EDGE + b"(" + _SEPARATORS.join(parts) + plural + b")" + _EDGE


def _atom_pattern(atom: str, letters: Alphabet) -> bytes:
    if atom.isascii() and not atom.isalpha():
        return letters.byte_class(atom)
    letter = letters.as_letter(atom)
    single = letters.byte_class(letter)
    pair = _PAIRS.get(letter)
    if pair:
        single += b"|" + b"".join(letters.byte_class(part) for part in pair)
    return b"(?:" + single + b")+"


def _compile(pattern: bytes, what: str) -> Any:
    try:
        return re2.compile(pattern, _LATIN1)
    except re2.error as error:
        raise ValueError(f"{what} does not compile: {error}") from error


def _plain_bytes(text: str) -> bytes:
    """`text` in lower case as Latin-1, other letters and digits as NUL, the rest as spaces."""
    lowered = unicodedata.normalize("NFC", text).lower()
    return _NOT_LATIN1.sub(" ", _OTHER_LETTER.sub("\x00", lowered)).encode("latin-1")


# Bytes for sets of letters: word-like ones (from letters) and symbols (from ©, |, ∂...).
_WORD_CODES = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ" + bytes(range(0xC0, 0x100))
_SYMBOL_CODES = bytes(range(0x01, 0x20)) + bytes(range(0x80, 0xC0))


class Alphabet:
    """The byte each character folds to, and the bytes that pass for each letter or symbol.

    ASCII digits and punctuation fold to themselves ('$' still passes for "s" and "$"); a
    letter that passes for one letter folds to it; other sets of letters get a byte of their
    own (a letter byte for letters, a separator byte for symbols like ©). Whitespace, marks
    and symbols that pass for nothing fold to a space; letters that pass for nothing to NUL.
    """

    def __init__(self, lookalikes: dict[str, str]) -> None:
        self._letters = lookalikes
        self._table: dict[int, int] = {}
        self._members: dict[str, set[int]] = defaultdict(set)
        codes: dict[tuple[str, bool], int] = {}
        pools = {True: iter(_WORD_CODES), False: iter(_SYMBOL_CODES)}
        for char, passes_for in sorted(_candidates(lookalikes).items()):
            if char.isascii() and not char.isalpha():
                code = ord(char)
            elif char.isalnum() and len(passes_for) == 1:
                code = ord(passes_for)
            else:
                key = (passes_for, char.isalnum())
                code = codes[key] if key in codes else codes.setdefault(key, next(pools[key[1]]))
            self._table[ord(char)] = code
            for atom in passes_for:
                self._members[atom].add(code)
        for code in range(0x100):
            self._table.setdefault(code, 0 if chr(code).isalnum() else 0x20)
        self._latin1 = bytes(self._table[code] for code in range(0x100))

    def fold(self, text: str) -> bytes:
        """One byte for each character of `text` (normalised text: NFKC, no invisibles)."""
        if text.isascii():
            return text.encode("ascii").translate(self._latin1)
        folded = text.translate(self._table)
        if _NOT_LATIN1.search(folded):
            folded = _NOT_LATIN1.sub(" ", _OTHER_LETTER.sub("\x00", folded))
        return folded.encode("latin-1")

    def byte_class(self, atom: str) -> bytes:
        """An RE2 class of the bytes that pass for `atom` (a letter, digit or ASCII symbol)."""
        return b"[" + b"".join(b"\\x%02x" % code for code in sorted(self._members[atom])) + b"]"

    def as_letter(self, char: str) -> str:
        """The one ASCII letter a keyphrase character stands for."""
        if char in string.ascii_lowercase:
            return char
        passes_for = self._letters.get(char, "")
        if len(passes_for) != 1:
            raise ValueError(f"keyphrase character {char!r} stands for no single Latin letter")
        return passes_for


@cache
def alphabet() -> Alphabet:
    return Alphabet(letter_lookalikes())


def _candidates(lookalikes: dict[str, str]) -> dict[str, str]:
    """What each character passes for; ASCII digits and symbols also for themselves."""
    candidates = {char: char.lower() for char in string.ascii_letters}
    candidates |= lookalikes
    for char in string.digits + string.punctuation:
        candidates[char] = "".join(sorted(set(lookalikes.get(char, "") + char)))
    return candidates
