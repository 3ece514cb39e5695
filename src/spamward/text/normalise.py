"""Normalisation shared by every extractor.

NFKC folds fullwidth and compatibility forms (ｂｉｔ．ｌｙ → bit.ly); invisible format
characters that spammers use to split words (zero-width, bidi controls) are dropped.
"""

from __future__ import annotations

import unicodedata

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


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).translate(_INVISIBLE)
