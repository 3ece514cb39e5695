"""The spam model's cleaning, features and shipped model: the label leaks of the corpora are
gone, the features resist simple obfuscation, and the shipped file scores spam above ham."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spamward.errors import ConfigError
from spamward.model import features as features_module
from spamward.model.cleaning import clean_sms, clean_text, duplicate_key, is_corrupted
from spamward.model.corpora import Example, deduplicate, sms_examples, youtube_examples
from spamward.model.features import feature_names, features
from spamward.model.linear import LinearModel, load_model, probability, shipped_model
from spamward.model.model_file import model_bytes
from tests.conftest import corpus_file

SPAM = [
    "Check out my channel and SUBSCRIBE!!! http://bit.ly/2xYz9 thanks",
    "FREE entry! Text WIN to 80086 to claim your £1000 prize now. Call 09061701461",
    "Hey guys please subscribe to my youtube channel, i make music videos :)",
    "Make money from home, earn $500 a day, visit www.easy-cash-now.com",
]
HAM = [
    "I love this song, it reminds me of the summer of 2012",
    "Are we still meeting for dinner tonight? I'll be a bit late",
    "The bridge in the second verse is beautiful, the singer sounds amazing",
    "ok see you tomorrow at the station",
]
EMINEM_CORRUPTED_ID = "LneaDw26bFvv8RbyHRBDnA-4Bb1lhF9UlpzJf_5FkWM"
SWALLOWED_HAM_ID = "LneaDw26bFst76VHKJL8PxaEy6VMNlvmriUDTSFK6vY"


def corpora_dir() -> Path:
    return corpus_file("youtube_spam_collection", "Youtube04-Eminem.csv").parents[1]


# Cleaning: the leaks of the corpora never reach the features.


def test_cleaning_removes_byte_order_marks_html_and_tags() -> None:
    raw = 'Hi&#39;s my <a href="http://x.com">channel</a><br />&lt;3 &amp; more\ufeff'
    assert clean_text(raw) == "Hi's my channel <3 & more"


def test_a_byte_order_mark_changes_nothing() -> None:
    text = "Please subscribe to my channel"
    assert clean_text(text + "\ufeff") == clean_text(text)
    assert features(text + "\ufeff") == features(text)
    assert features("\ufeff" + text) == features(text)


def test_sms_placeholders_are_removed() -> None:
    assert clean_sms("Call me on &lt;#&gt; at &lt;TIME&gt; ok") == "Call me on at ok"


def test_the_corrupted_eminem_row_is_detected_and_dropped() -> None:
    directory = corpora_dir()
    eminem = youtube_examples(directory, ["Youtube04-Eminem.csv"])
    assert len(eminem) == 447  # 448 rows, the corrupted one out
    assert 269 not in {example.row for example in eminem}
    assert not any(SWALLOWED_HAM_ID in example.text for example in eminem)
    assert is_corrupted(f"spam text ,0\n{SWALLOWED_HAM_ID},Ali Paša,2013-09-26T22:28:17,x")
    assert not is_corrupted("an ordinary comment, 0 problems\nsecond line")
    assert EMINEM_CORRUPTED_ID  # the row named in the corpus README


def test_no_leaking_artifact_survives_in_the_loaded_corpora() -> None:
    directory = corpora_dir()
    corpus_file("sms_spam_collection", "SMSSpamCollection")
    texts = [e.text for e in youtube_examples(directory) + sms_examples(directory)]
    # Markup the crawl added; KatyPerry row 31 is HTML source a spammer typed, which stays.
    for artifact in ("\ufeff", "<br", '<a href="', "&#39;", "&amp;", "&quot;", "<#>", "<TIME>"):
        assert not any(artifact in text for text in texts), artifact


def test_deduplication_ignores_case_and_spacing_and_keeps_the_first() -> None:
    examples = [
        Example("Check  out my channel", 1, "a.csv", 0),
        Example("check out MY channel", 1, "b.csv", 5),
        Example("", 0, "a.csv", 1),
        Example("something else", 0, "a.csv", 2),
    ]
    assert deduplicate(examples) == [examples[0], examples[3]]
    assert duplicate_key(" A\tb ") == duplicate_key("a b")


# Features: one function for training and scoring, robust to simple obfuscation.


def test_features_are_unit_length_and_shared_with_the_names() -> None:
    vector = features(SPAM[0])
    assert set(vector) == feature_names(SPAM[0])
    assert sum(value * value for value in vector.values()) == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Subscribe to my channel", {"subscribe", "my channel", "~subs"}),
        ("S u b s c r i b e please", {"subscribe"}),
        ("sooooo gooood", {"soo", "good"}),
        ("ｆｒｅｅ mo\u200bney", {"free", "money", "free money"}),
        ("visit http://www.Bit.ly/abc now", {"<url>", "url:bit.ly"}),
        ("go to example dot com", {"<url>", "url:example.com"}),
        ("Call 09061701461 or text 80086", {"<d10>", "<d5>", "call <d10>"}),
        ("THIS IS A GREAT SONG", {"<caps>"}),
    ],
)
def test_feature_names(text: str, expected: set[str]) -> None:
    assert expected <= feature_names(text)


def test_case_changes_only_the_capitals_feature() -> None:
    assert feature_names("CHECK OUT MY CHANNEL") - feature_names("check out my channel") == {
        "<caps>"
    }


LINK_PIECES = [*"ab.co mhtp:/w(dot)[]-", "com", "net", "ly", "be", "dot", "http://", "www."]


@given(st.lists(st.sampled_from(LINK_PIECES), max_size=12).map("".join))
def test_every_link_passes_the_cheap_first_look(text: str) -> None:
    if features_module._LINK.search(text):
        assert features_module._MAY_LINK.search(text)


# The shipped model.


def test_the_shipped_model_scores_obvious_spam_above_obvious_ham() -> None:
    spam = [probability(text) for text in SPAM]
    ham = [probability(text) for text in HAM]
    assert min(spam) > 0.8, spam
    assert max(ham) < 0.2, ham


@given(st.text(max_size=600))
def test_probabilities_are_in_the_unit_interval(text: str) -> None:
    assert 0.0 <= probability(text) <= 1.0


def test_extreme_logits_do_not_overflow() -> None:
    spammy = " ".join(["subscribe my channel http://bit.ly/x"] * 200)
    hammy = LinearModel({"ok": -1e4}, -1e4)
    assert 0.99 < probability(spammy) <= 1.0
    assert hammy.probability("ok") == 0.0


def test_the_shipped_file_is_small_and_round_trips(tmp_path: Path) -> None:
    model = shipped_model()
    assert 1_000 < len(model.weights) < 100_000
    path = tmp_path / "copy.json"
    path.write_bytes(model_bytes(model.weights, model.intercept))
    assert load_model(path).probability(SPAM[0]) == pytest.approx(model.probability(SPAM[0]))


def test_a_model_for_other_features_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "old.json"
    document = json.loads(model_bytes({"x": 1.0}, 0.0))
    path.write_text(json.dumps(document | {"feature_set": "something-older"}))
    with pytest.raises(ConfigError, match="other features"):
        load_model(path)
    path.write_text("[1, 2]")
    with pytest.raises(ConfigError, match="not a"):
        load_model(path)
