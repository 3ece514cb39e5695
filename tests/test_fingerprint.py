"""The duplicate-text fingerprint: what folds to the same key, and what stays apart."""

from __future__ import annotations

import hashlib
import json
import os
import struct
import subprocess
import sys
import zlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spamward.text import shingles
from spamward.text.fingerprint import (
    NUMBER_TOKEN,
    SAMPLE_CHARS,
    URL_TOKEN,
    TextFingerprint,
    fingerprint_normalised,
    fold_text,
    text_fingerprint,
)
from spamward.text.normalise import normalise

MESSAGE = (
    "FREE iPhone for the first 100 visitors today!!! Claim yours at "
    "http://bit.ly/abc123 before midnight, call 555-123-4567"
)


def _fingerprint(text: str) -> TextFingerprint:
    fingerprint = text_fingerprint(text)
    assert fingerprint is not None, text
    return fingerprint


@pytest.mark.parametrize(
    "variant",
    [
        pytest.param(MESSAGE.replace("http://bit.ly/abc123", "www.example.com/x?y=1"), id="link"),
        pytest.param(MESSAGE.replace("bit.ly/abc123", "tinyurl.com/zz"), id="bare-link"),
        pytest.param(MESSAGE.replace(" ", "   ").replace("today", "\ntoday"), id="spaces"),
        pytest.param(MESSAGE.replace("FREE iPhone", "FR33 ｉPhone"), id="leet-fullwidth"),
        pytest.param(
            MESSAGE.replace("for the", "fоr thе").replace("Claim", "Сlаim"), id="cyrillic"
        ),
        pytest.param(MESSAGE.replace("today", "today 🎁🔥").replace("FREE", "💰 FREE"), id="emoji"),
        pytest.param(
            MESSAGE.replace("100", "250").replace("555-123-4567", "+1 (800) 99 00"), id="numbers"
        ),
        pytest.param(MESSAGE.upper().replace("!!!", "."), id="case-punctuation"),
    ],
)
def test_small_changes_keep_the_key(variant: str) -> None:
    assert _fingerprint(variant).key == _fingerprint(MESSAGE).key


@pytest.mark.parametrize(
    "other",
    [
        MESSAGE.replace("iPhone", "iPad"),
        MESSAGE.replace("first", "last"),
        "Thanks for the lovely dinner yesterday, see you all at the match on Saturday!",
    ],
)
def test_different_messages_get_different_keys(other: str) -> None:
    assert _fingerprint(other).key != _fingerprint(MESSAGE).key


def test_e_mail_addresses_fold_to_one_token() -> None:
    first = "Write to me at alice@example.com for the full price list of our new products"
    second = first.replace("alice@example.com", "Bob.Smith@mail.example.org")
    assert _fingerprint(first).key == _fingerprint(second).key
    assert _fingerprint(first).key != _fingerprint(first.replace("alice@", "http://")).key


def test_the_key_is_the_documented_digest_of_the_folded_text() -> None:
    folded = (
        "free iphone for the first \x03 visitors today ciaim yours at \x01 "
        "before midnight caii \x03"
    )
    assert fold_text(MESSAGE) == folded
    expected = hashlib.blake2b(folded.encode(), digest_size=16).hexdigest()
    assert _fingerprint(MESSAGE).key == expected


def test_the_signature_is_the_documented_bottom_k_of_word_hashes() -> None:
    text = "Win a brand new car this weekend, reply YES to 80085 to enter the prize draw now"
    common = {b"a", b"this", b"to", b"the", b"now"}
    words = {word.encode() for word in fold_text(text).split()} - common
    hashes = sorted(zlib.crc32(word) for word in words)[: shingles.SIGNATURE_SIZE]
    assert _fingerprint(text).signature == struct.pack(f">{len(hashes)}I", *hashes).hex()


def test_tokens_are_single_words_of_the_folded_text() -> None:
    assert fold_text("Go to https://x.example/a now or call 0800 123 456") == (
        f"go to {URL_TOKEN} now or caii {NUMBER_TOKEN}"
    )


def test_short_texts_have_no_fingerprint() -> None:
    assert text_fingerprint("Nice video, thanks! http://youtu.be/abc 😀") is None
    assert text_fingerprint("") is None


def test_the_limit_counts_folded_characters() -> None:
    text = "word " * 10  # folds to 49 characters
    assert len(fold_text(text)) == 49
    assert text_fingerprint(text, min_chars=50) is None
    assert text_fingerprint(text, min_chars=49) is not None


def test_normalised_text_gives_the_same_fingerprint() -> None:
    raw = "ＦＲＥＥ ｉＰｈｏｎｅ\u200b for the first 100 visitors, go to bit.ly/x today and claim"
    assert fingerprint_normalised(normalise(raw).text) == text_fingerprint(raw)


def test_a_fold_can_be_passed_in() -> None:
    def british(text: str) -> str:
        return text.replace("colour", "color")

    first = "Get the new colour catalogue with every order over fifty pounds this week"
    second = first.replace("colour", "color")
    assert _fingerprint(first).key != _fingerprint(second).key
    assert fold_text(first, fold=british) == fold_text(second, fold=british)
    folded_first, folded_second = (text_fingerprint(text, fold=british) for text in (first, second))
    assert folded_first is not None
    assert folded_second is not None
    assert folded_first.key == folded_second.key


def test_a_confusables_skeleton_can_replace_the_default_fold() -> None:
    def skeleton_like(text: str) -> str:  # UTS #39 maps 0 → O, 1 → l and m → rn in ASCII
        return text.replace("0", "O").replace("1", "l").replace("m", "rn")

    leet = MESSAGE.replace("FREE", "FR33").replace("midnight", "m1dn1ght")
    fingerprints = [text_fingerprint(text, fold=skeleton_like) for text in (MESSAGE, leet)]
    assert None not in fingerprints
    assert len({fingerprint.key for fingerprint in fingerprints if fingerprint}) == 1


def test_the_sample_is_the_start_of_the_text_for_moderators() -> None:
    long_text = "  Hello   there,\n" + "buy cheap watches online " * 20
    collapsed = " ".join(long_text.split())
    assert _fingerprint(long_text).sample == collapsed[:SAMPLE_CHARS].rsplit(" ", 1)[0] + "…"
    assert _fingerprint(MESSAGE).sample == MESSAGE


def test_near_duplicate_signatures() -> None:
    first = _fingerprint(MESSAGE).signature
    edited_message = MESSAGE.replace("today", "only today, hurry") + " Limited stock"
    edited = _fingerprint(edited_message).signature
    unrelated = _fingerprint("I will be late for dinner, the train is stuck outside the station")
    assert shingles.similarity(first, first) == 1.0
    assert shingles.is_near_duplicate(first, edited)
    assert shingles.similarity(first, unrelated.signature) < shingles.NEAR_DUPLICATE_SIMILARITY


def test_keys_and_signatures_are_stable_across_processes() -> None:
    script = (
        "import json, sys\n"
        "from spamward.text.fingerprint import text_fingerprint\n"
        "found = text_fingerprint(sys.argv[1])\n"
        "print(json.dumps([found.key, found.signature]))\n"
    )
    expected = _fingerprint(MESSAGE)
    for seed in ("1", "2"):
        environment = {**os.environ, "PYTHONHASHSEED": seed}
        output = subprocess.run(
            [sys.executable, "-c", script, MESSAGE],
            env=environment,
            capture_output=True,
            check=True,
            text=True,
        ).stdout
        assert json.loads(output) == [expected.key, expected.signature]


def test_a_megabyte_of_links_and_numbers_is_fingerprinted() -> None:
    text = "frее 1 a.com @x.io 🎁 call 555 0000 " * 30_000
    fingerprint = _fingerprint(text)
    assert len(fingerprint.signature) <= 8 * shingles.SIGNATURE_SIZE
    assert len(fingerprint.sample) <= SAMPLE_CHARS


@given(st.text(max_size=400))
def test_any_text_gets_a_well_formed_fingerprint_or_none(text: str) -> None:
    fingerprint = text_fingerprint(text, min_chars=1)
    assert fingerprint == text_fingerprint(text, min_chars=1)
    if fingerprint is not None:
        assert len(fingerprint.key) == 32
        assert len(fingerprint.sample) <= SAMPLE_CHARS
        assert len(fingerprint.signature) % 8 == 0
        assert len(fingerprint.signature) <= 8 * shingles.SIGNATURE_SIZE


@given(st.text(max_size=400))
def test_folding_the_folded_text_changes_nothing(text: str) -> None:
    folded = fold_text(text)
    assert fold_text(folded) == folded
