"""Reposts built from the corpora, varied the way spammers vary them, and unrelated pairs.

Each sampled text (one whose folded text reaches the 50-character limit) gets two copies:
- a *small-change* copy: another link, other numbers, look-alike letters, leet inside words,
  emoji, case and spacing. It must keep the exact key.
- an *edited* copy: small changes plus a word or two added or removed. Its signature must
  stay a near duplicate of the original's.
*Unrelated* pairs are two distinct texts that share less than half of their words (the
corpora hold reposts of their own, which are near duplicates, not false positives), drawn
from all texts and from spam only; their signatures must not count as near duplicates.

Targets: a campaign should lose at most one repost in twenty (key and signature recall
≥ 95 %), and at most one unrelated pair in a hundred may be merged into it (≥ 99 % of
false positives avoided).
"""

from __future__ import annotations

import csv
import html
import random
import re
from collections.abc import Callable, Sequence
from functools import cache

import pytest

from spamward.text.fingerprint import TextFingerprint, text_fingerprint
from spamward.text.shingles import is_near_duplicate
from tests.conftest import ScoreRecorder, corpus_file

SAMPLE_SIZE = 400
UNRELATED_PAIRS = 2000
SEED = 2026

Pair = tuple[str, str]
Mutation = Callable[[random.Random, str, Sequence[str]], str]

_LINK = re.compile(r"(?:https?://|www\.)\S+")
_LINK_LIKE = re.compile(r"[./@]\w")
# Numbers as a spammer changes them: runs that follow no letter, and any run of three digits
# or more (digits inside words, as in "B4U" or "mp3", are part of the word).
_NUMBER = re.compile(r"(?<![^\W_])[0-9]+|(?<![0-9])[0-9]{3,}")
_LOOKALIKES = {"a": "а", "c": "с", "e": "е", "i": "і", "o": "о", "p": "р", "x": "х", "y": "у"}
_LEET = {"a": "4", "e": "3", "i": "1", "l": "1", "o": "0", "s": "5", "t": "7"}
_EMOJI = ("🎁", "🔥", "💰", "😍", "👉", "✅", "❤️", "🙏")
_FILLERS = ("now", "free", "today", "please", "just", "new", "click", "here", "best", "really")


@cache
def _labelled_texts() -> tuple[tuple[str, bool], ...]:
    """Each distinct text of the corpora with whether it is labelled spam."""
    labelled: list[tuple[str, bool]] = []
    for path in sorted(corpus_file("youtube_spam_collection").glob("Youtube0*.csv")):
        with path.open(encoding="utf-8", newline="") as rows:
            labelled += [
                (row["CONTENT"].replace("\ufeff", ""), row["CLASS"] == "1")
                for row in csv.DictReader(rows)
            ]
    sms = corpus_file("sms_spam_collection", "SMSSpamCollection").read_text(encoding="utf-8")
    for line in sms.splitlines():
        label, _, text = line.partition("\t")
        labelled.append((text, label == "spam"))
    return tuple(sorted({(html.unescape(text).strip(), spam) for text, spam in labelled}))


def _corpus_texts() -> list[str]:
    return [text for text, _ in _labelled_texts()]


@cache
def _eligible(spam_only: bool = False) -> tuple[str, ...]:
    texts = {text for text, spam in _labelled_texts() if spam or not spam_only}
    return tuple(sorted(text for text in texts if text_fingerprint(text) is not None))


def _links() -> list[str]:
    return sorted({link for text in _corpus_texts() for link in _LINK.findall(text)})


def _another_link(rng: random.Random, text: str, links: Sequence[str]) -> str:
    return _LINK.sub(lambda _: rng.choice(links), text)


def _other_numbers(rng: random.Random, text: str, links: Sequence[str]) -> str:
    def renumber(match: re.Match[str]) -> str:
        length = max(1, len(match.group()) + rng.choice((-1, 0, 1)))
        return "".join(rng.choice("0123456789") for _ in range(length))

    return _NUMBER.sub(renumber, text)


def _substitute(rng: random.Random, text: str, table: dict[str, str]) -> str:
    """Replace about a third of the letters in `table` that follow another letter, except in
    words that look like links or addresses (a spammer keeps those working)."""
    return " ".join(
        word if _LINK_LIKE.search(word) else _substitute_letters(rng, word, table)
        for word in text.split(" ")
    )


def _substitute_letters(rng: random.Random, word: str, table: dict[str, str]) -> str:
    chars = list(word)
    for index in range(1, len(chars)):
        if chars[index] in table and chars[index - 1].isalpha() and rng.random() < 0.3:
            chars[index] = table[chars[index]]
    return "".join(chars)


def _lookalikes(rng: random.Random, text: str, links: Sequence[str]) -> str:
    return _substitute(rng, text, _LOOKALIKES)


def _leet(rng: random.Random, text: str, links: Sequence[str]) -> str:
    return _substitute(rng, text, _LEET)


def _insert_words(rng: random.Random, text: str, choices: Sequence[str], most: int) -> str:
    words = text.split(" ")
    for _ in range(rng.randint(1, most)):
        words.insert(rng.randrange(len(words) + 1), rng.choice(choices))
    return " ".join(words)


def _emoji(rng: random.Random, text: str, links: Sequence[str]) -> str:
    return _insert_words(rng, text, _EMOJI, most=3)


def _case_and_spacing(rng: random.Random, text: str, links: Sequence[str]) -> str:
    words = [word.upper() if rng.random() < 0.2 else word for word in text.split()]
    return "".join(word + rng.choice((" ", " ", "  ", "\n", " !!! ")) for word in words)


def _add_words(rng: random.Random, text: str, links: Sequence[str]) -> str:
    return _insert_words(rng, text, _FILLERS, most=2)


def _remove_words(rng: random.Random, text: str, links: Sequence[str]) -> str:
    words = text.split(" ")
    for _ in range(rng.randint(1, 2)):
        del words[rng.randrange(len(words))]
    return " ".join(words)


# In the order they are applied: numbers before leet turns letters into digits.
_SMALL_CHANGES: tuple[Mutation, ...] = (
    _another_link,
    _other_numbers,
    _lookalikes,
    _leet,
    _emoji,
    _case_and_spacing,
)
_EDITS: tuple[Mutation, ...] = (_add_words, _remove_words)
# Edits go after the link and number changes, before anything that rewrites letters.
_ORDER: tuple[Mutation, ...] = (*_SMALL_CHANGES[:2], *_EDITS, *_SMALL_CHANGES[2:])


def _mutate(rng: random.Random, text: str, chosen: set[Mutation], links: Sequence[str]) -> str:
    for mutation in _ORDER:
        if mutation in chosen:
            text = mutation(rng, text, links)
    return text


def _small_change(rng: random.Random, text: str, links: Sequence[str]) -> str:
    chosen = set(rng.sample(_SMALL_CHANGES, rng.randint(1, 3)))
    return _mutate(rng, text, chosen, links)


def _edit(rng: random.Random, text: str, links: Sequence[str]) -> str:
    chosen = {*rng.sample(_SMALL_CHANGES, rng.randint(1, 3)), rng.choice(_EDITS)}
    return _mutate(rng, text, chosen, links)


def _mutated_pairs(mutate: Mutation) -> list[Pair]:
    rng, links = random.Random(SEED), _links()
    return [(text, mutate(rng, text, links)) for text in rng.sample(_eligible(), SAMPLE_SIZE)]


def _share_most_words(first: str, second: str) -> bool:
    first_words, second_words = set(first.lower().split()), set(second.lower().split())
    return len(first_words & second_words) >= len(first_words | second_words) / 2


def _unrelated_pairs(spam_only: bool) -> list[Pair]:
    rng, texts = random.Random(SEED), _eligible(spam_only)
    pairs: list[Pair] = []
    while len(pairs) < UNRELATED_PAIRS:
        first, second = rng.sample(texts, 2)
        if not _share_most_words(first, second):
            pairs.append((first, second))
    return pairs


def _fingerprint(text: str) -> TextFingerprint | None:
    return text_fingerprint(text, min_chars=0)


def _same_key(pair: Pair) -> bool:
    first, second = map(_fingerprint, pair)
    return first is not None and second is not None and first.key == second.key


def _near_duplicates(pair: Pair) -> bool:
    first, second = map(_fingerprint, pair)
    if first is None or second is None:
        return False
    return is_near_duplicate(first.signature, second.signature)


def _record(
    suite_score: ScoreRecorder, suite: str, pairs: list[Pair], passes: Callable[[Pair], bool]
) -> None:
    failed = [pair for pair in pairs if not passes(pair)]
    score = suite_score(suite, len(pairs) - len(failed), len(pairs), TARGETS[suite])
    assert score.share >= score.target, f"{suite}: {failed[:5]}"


TARGETS = {
    "exact key recall, small changes (corpora)": 0.95,
    "near-duplicate recall (corpora pairs)": 0.95,
    "near-duplicate false positives avoided": 0.99,
    "near-duplicate false positives avoided (spam)": 0.99,
}


def test_small_changes_keep_the_exact_key(suite_score: ScoreRecorder) -> None:
    pairs = _mutated_pairs(_small_change)
    _record(suite_score, "exact key recall, small changes (corpora)", pairs, _same_key)


def test_edited_reposts_are_near_duplicates(suite_score: ScoreRecorder) -> None:
    pairs = _mutated_pairs(_edit)
    _record(suite_score, "near-duplicate recall (corpora pairs)", pairs, _near_duplicates)


@pytest.mark.parametrize(
    ("suite", "spam_only"),
    [
        ("near-duplicate false positives avoided", False),
        # Spam against spam: the same vocabulary of prizes, links and calls to action.
        ("near-duplicate false positives avoided (spam)", True),
    ],
)
def test_unrelated_texts_are_not_near_duplicates(
    suite_score: ScoreRecorder, suite: str, spam_only: bool
) -> None:
    pairs = _unrelated_pairs(spam_only)
    _record(suite_score, suite, pairs, lambda pair: not _near_duplicates(pair))
