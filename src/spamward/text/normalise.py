"""Normalisation shared by every extractor, with a map back to the original offsets.

NFKC folds fullwidth and compatibility forms (ｂｉｔ．ｌｙ → bit.ly); invisible format
characters that spammers use to split words (zero-width, bidi controls) are dropped.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

_INVISIBLE = dict.fromkeys(
    [
        0x00AD,  # soft hyphen
        *range(0x200B, 0x2010),  # zero-width space/joiners, LRM, RLM
        *range(0x202A, 0x202F),  # bidi embeddings and overrides
        *range(0x2060, 0x2065),  # word joiner, invisible operators
        *range(0x2066, 0x206A),  # bidi isolates
        0xFEFF,  # zero-width no-break space
    ]
)


@dataclass(frozen=True, slots=True)
class Normalised:
    """Normalised text and where each of its characters came from in the original."""

    original: str
    text: str

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The span of the original text that `text[start:end]` was made from."""
        return start, end  # placeholder until the offset map lands


def normalise(text: str) -> Normalised:
    return Normalised(text, unicodedata.normalize("NFKC", text).translate(_INVISIBLE))
