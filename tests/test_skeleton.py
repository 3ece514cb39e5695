"""Homoglyph folding: UTS #39 skeletons, letter folding and the mixed-script check."""

from __future__ import annotations

from importlib.resources import files

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spamward.text.skeleton import (
    fold_confusables,
    is_mixed_script,
    letter_lookalikes,
    scripts,
    skeleton,
)


@pytest.mark.parametrize(
    ("confusable", "plain"),
    [("раураl.com", "paypal.com"), ("bіt.ly", "bit.ly"), ("g00gle", "gOOgle"), ("ᏟᎪᎷ", "CAM")],
)
def test_confusable_strings_share_a_skeleton(confusable: str, plain: str) -> None:
    assert skeleton(confusable) == skeleton(plain)


def test_different_strings_keep_different_skeletons() -> None:
    assert skeleton("paypal") != skeleton("paypai")
    assert skeleton("пример") != skeleton("npumep")


def test_skeleton_follows_uts39_nfd_map_nfd() -> None:
    assert skeleton("é") == "e\u0301"
    assert skeleton("1l|") == "lll"
    assert skeleton("m") == "rn"


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("bіt.ly", "bit.ly"),  # Cyrillic і
        ("раураl", "paypal"),
        ("ѕсаm-οffer", "scam-offer"),  # Cyrillic ѕ с а, Greek ο
        ("g00gle 1l", "g00gle 1l"),  # digits stay digits
        ("café señor", "café señor"),  # accented Latin letters stay
        ("例子", "例子"),
    ],
)
def test_fold_confusables_folds_letters_only(text: str, folded: str) -> None:
    assert fold_confusables(text) == folded


@pytest.mark.parametrize(
    ("text", "mixed"),
    [
        ("bіt.ly", True),
        ("pаypal", True),
        ("bit.ly", False),
        ("пример.рф", False),
        ("例子.中国", False),
        ("テスト漢字ひらがな", False),
        ("한국어漢字", False),
        ("abc123-x.com", False),
        ("café", False),
        ("ʼ123", False),
    ],
)
def test_mixed_script(text: str, mixed: bool) -> None:
    assert is_mixed_script(text) is mixed


def test_scripts_are_named_by_unicode_names() -> None:
    assert scripts("bіt") == {"LATIN", "CYRILLIC"}
    assert scripts("123 !?") == frozenset()


def test_letter_lookalikes() -> None:
    lookalikes = letter_lookalikes()
    assert lookalikes["а"] == "a"  # Cyrillic
    assert lookalikes["1"] == "il"
    assert lookalikes["∂"] == "ad"
    assert lookalikes["Ɋ"] == "q"  # from its name: LATIN CAPITAL LETTER SMALL Q WITH HOOK TAIL
    assert "例" not in lookalikes


@given(st.text(max_size=200))
def test_never_raises(text: str) -> None:
    assert isinstance(skeleton(text), str)
    assert isinstance(fold_confusables(text), str)
    assert isinstance(is_mixed_script(text), bool)


def test_megabyte_inputs_complete() -> None:
    text = "раураl\u0301 " * 125_000
    assert len(skeleton(text)) >= len(text)
    assert fold_confusables(text).startswith("paypaĺ ")


def test_the_tables_ship_with_their_licence() -> None:
    data = files("spamward.text") / "data"
    licence = (data / "LICENSE-unicode.txt").read_text(encoding="utf-8")
    assert "UNICODE LICENSE V3" in licence
    assert "# Version: 17.0.0" in licence
    assert "© 2025 Unicode®, Inc." in licence
