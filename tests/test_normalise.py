"""Normalisation: NFKC, invisible characters removed, whitespace folded, offsets kept."""

from __future__ import annotations

import sys
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spamward.text import normalise as module
from spamward.text.normalise import normalise

INVISIBLE = "\u00ad\u034f\u200b\u200c\u200d\u200e\u200f\u202a\u202e\u2060\u2066\u2069\ufe0f\ufeff"
TAGS = "\U000e0001\U000e0041\U000e007f\U000e0100"
TRICKY = (
    INVISIBLE + TAGS + " \t\n\r\xa0\u2028\u3000\u0301\u0316\u0345\u1100\u1161\u11a8\uff76\uff9e"
    "ﬁ①𝐋ｂ¨ſ\ud800é\u0b47\u0b3e"
)
texts = st.text(st.characters(blacklist_categories=()) | st.sampled_from(TRICKY), max_size=120)
# NFKC-stable characters, whitespace and invisible ones: each maps to itself or vanishes.
stable_texts = st.text(st.sampled_from("abcXYZ019.-@ пр例" + INVISIBLE + " \t\n\r\u2028"))


@pytest.mark.parametrize(
    ("original", "expected"),
    [
        ("ｂｉｔ．ｌｙ", "bit.ly"),
        ("𝐋𝐨𝐚𝐧 ③⁴₅y", "Loan 345y"),
        ("fr\u200bee mo\u00adney\ufeff", "free money"),
        ("\u202egnp.exe\u202c \U000e0041tag", "gnp.exe tag"),
        ("❤\ufe0f e\u200d\u0301", "❤ é"),
        ("line one\r\n\n  line\ttwo\xa0\u3000end ", "line one line two end "),
        ("0O 1l пример 例子", "0O 1l пример 例子"),  # no homoglyph folding here
        ("\u202bשלום\u202c עולם", "שלום עולם"),
    ],
)
def test_normalises(original: str, expected: str) -> None:
    assert normalise(original).text == expected


def test_a_plain_ascii_post_is_kept_as_it_is() -> None:
    text = "Check out my channel, it has great videos!"
    normalised = normalise(text)
    assert normalised.text is text
    assert normalised.original_span(6, 9) == (6, 9)


@pytest.mark.parametrize(
    ("original", "span", "written"),
    [
        ("on3\t tw0", (0, 7), "on3\t tw0"),
        ("on3\t tw0", (3, 4), "\t "),
        ("ﬁne", (1, 2), "ﬁ"),  # part of an NFKC expansion: the whole original character
        ("a\u200bb", (0, 1), "a"),  # removed characters at the ends are left out ...
        ("a\u200bb", (1, 2), "b"),
        ("a\u200bb", (0, 2), "a\u200bb"),  # ... and kept between them
        ("x 𝐋𝐨𝐚𝐧 y", (2, 6), "𝐋𝐨𝐚𝐧"),
        ("e\u0301!", (0, 1), "e\u0301"),
        ("\u200b\u200b", (0, 0), ""),
    ],
)
def test_original_span(original: str, span: tuple[int, int], written: str) -> None:
    start, end = normalise(original).original_span(*span)
    assert original[start:end] == written


def test_original_span_refuses_spans_outside_the_text() -> None:
    with pytest.raises(ValueError, match="outside"):
        normalise("abc").original_span(2, 4)


@given(texts)
def test_never_raises_and_is_idempotent(text: str) -> None:
    once = normalise(text).text
    assert normalise(once).text == once


@given(texts)
def test_invisible_characters_and_whitespace_runs_are_gone(text: str) -> None:
    result = normalise(text).text
    assert not any(module._INVISIBLE.search(char) for char in result)
    assert "  " not in result
    assert all(char == " " for char in result if char.isspace())


@given(texts, st.data())
def test_every_span_maps_inside_the_original_in_order(text: str, data: st.DataObject) -> None:
    normalised = normalise(text)
    end = data.draw(st.integers(0, len(normalised.text)))
    start = data.draw(st.integers(0, end))
    original_start, original_end = normalised.original_span(start, end)
    assert 0 <= original_start <= original_end <= len(text)
    if start < end:
        assert normalised.original_span(start, start + 1)[0] == original_start
        assert normalised.original_span(end - 1, end)[1] == original_end


@given(stable_texts, st.data())
def test_stable_characters_map_back_to_themselves(text: str, data: st.DataObject) -> None:
    normalised = normalise(text)
    end = data.draw(st.integers(0, len(normalised.text)))
    start = data.draw(st.integers(0, end))
    original_start, original_end = normalised.original_span(start, end)
    assert normalise(text[original_start:original_end]).text == normalised.text[start:end]


@pytest.mark.parametrize(
    "adversarial",
    [
        "a" + "\u200b" * 1_000_000,
        "a" + "\u0301\u0316" * 500_000,  # marks in the worst order for an insertion sort
        "\u202eab\u202c" * 250_000,
        " \n\t" * 333_333,
        "𝐋𝐨𝐚𝐧 " * 100_000,
        "\u1100\u1161\u11a8" * 333_333,
    ],
    ids=["zero-width", "combining-marks", "rtl-overrides", "whitespace", "math-bold", "jamo"],
)
def test_megabyte_adversarial_inputs_complete(adversarial: str) -> None:
    normalised = normalise(adversarial)
    assert normalise(normalised.text).text == normalised.text
    assert normalised.original_span(0, len(normalised.text))[1] <= len(adversarial)


def test_tables_match_this_pythons_unicode_data() -> None:
    """The tables were derived from unicodedata; a new Python may bring new characters."""
    combines_back = _starters_that_combine_with_the_character_before()
    joins_previous = set()
    for code in range(0x80, sys.maxunicode + 1):
        char = chr(code)
        if unicodedata.category(char) == "Cs" or unicodedata.combining(char):
            continue
        first = unicodedata.normalize("NFKD", char)[0]
        if unicodedata.combining(first) or first in combines_back:
            joins_previous.add(code)
        elif not module._INVISIBLE.search(char):
            assert not module._INVISIBLE.search(unicodedata.normalize("NFKC", char)), hex(code)
    assert joins_previous == module._JOINS_PREVIOUS
    spaces = {chr(code) for code in range(sys.maxunicode + 1) if chr(code).isspace()}
    kept = {space for space in spaces if unicodedata.normalize("NFKC", space) == space}
    assert kept - {" "} == set(module._ODD_WHITESPACE)
    assert {unicodedata.normalize("NFKC", space) for space in spaces - kept} == {" "}


def _starters_that_combine_with_the_character_before() -> set[str]:
    hangul_vowels_and_finals = {
        chr(code) for code in [*range(0x1161, 0x1176), *range(0x11A8, 0x11C3)]
    }
    found = set()
    for char in map(chr, range(sys.maxunicode + 1)):
        decomposition = unicodedata.decomposition(char)
        if decomposition and not decomposition.startswith("<") and " " in decomposition:
            first, second = (chr(int(code, 16)) for code in decomposition.split())
            if (
                not unicodedata.combining(second)
                and unicodedata.normalize("NFC", first + second) == char
            ):
                found.add(second)
    return found | hangul_vowels_and_finals
