"""Near-duplicate signatures: a bottom-k MinHash over the words of the folded text.

Each distinct word but the commonest (which unrelated texts share) is hashed with CRC-32,
stable across processes and machines and cheap (the hashing runs in C through `map`); the
signature keeps the SIGNATURE_SIZE smallest hashes. Two signatures estimate the Jaccard
similarity of the two word sets (Broder's bottom-k estimator), exactly when both texts have
fewer distinct words than that. Single words rather than word pairs: on the corpora they
separate unrelated texts as well, keep more of a short text's similarity after an edit, and
cost half as much.

For clustering, index each 8-hex-digit hash of a signature: texts that are near duplicates
share most of theirs, so the candidates are the texts sharing one or more.
"""

from __future__ import annotations

import struct
import zlib

SIGNATURE_SIZE = 16
MAX_WORDS = 4096  # the signature of a longer text reads its first words only
# From this estimated similarity on, two texts are near duplicates: at least half of the
# words sampled from both are shared. tests/test_near_duplicates.py measures its recall on
# mutated reposts and its false positives on unrelated pairs from the corpora.
NEAR_DUPLICATE_SIMILARITY = 0.5
# Spelled as the folded text spells them: "l" reads as "i" there.
_COMMON_WORDS = frozenset(
    word.replace("l", "i").encode()
    for word in (
        "a an and are as at be but by can do for from get go have he her his i if in is it "
        "just me my no not now of on or our so that the this to u up ur was we what will with "
        "you your"
    ).split()
)


def signature(words: list[bytes]) -> str:
    """The smallest CRC-32 hashes of the distinct `words`, ascending, as 8 hex digits each."""
    distinct = set(words[:MAX_WORDS]).difference(_COMMON_WORDS)
    smallest = sorted(map(zlib.crc32, distinct))[:SIGNATURE_SIZE]
    return struct.pack(f">{len(smallest)}I", *smallest).hex()


def cluster_keys(words: list[bytes], count: int = 2) -> tuple[str, ...]:
    """The `count` smallest word hashes: two texts share the smallest with a probability
    equal to their Jaccard similarity, so near duplicates meet under one of these keys and
    unrelated texts rarely do. What velocity counts near-duplicate bursts by."""
    distinct = set(words[:MAX_WORDS]).difference(_COMMON_WORDS)
    return tuple(f"{value:08x}" for value in sorted(map(zlib.crc32, distinct))[:count])


def similarity(first: str, second: str) -> float:
    """The Jaccard similarity of two texts' word sets, estimated from their signatures."""
    first_hashes, second_hashes = _hashes(first), _hashes(second)
    union = sorted(first_hashes | second_hashes)[:SIGNATURE_SIZE]
    if not union:
        return 1.0
    shared = first_hashes & second_hashes
    return sum(value in shared for value in union) / len(union)


def is_near_duplicate(first: str, second: str) -> bool:
    return similarity(first, second) >= NEAR_DUPLICATE_SIMILARITY


def _hashes(signature_hex: str) -> set[int]:
    packed = bytes.fromhex(signature_hex)
    return set(struct.unpack(f">{len(packed) // 4}I", packed))
