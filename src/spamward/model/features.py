"""The one feature function, shared by training and scoring.

A text becomes a set of feature names; each present feature has the value 1/√n (n: how many
there are), so that a long text does not outweigh a short one. The names are:

- words (letter runs) and single symbols, case-folded after NFKC (which makes fullwidth and
  mathematical letters plain ones), with a
  letter a-z repeated three times or more cut to two (sooooo → soo);
- spaced-out words joined back (s u b s c r i b e → subscribe);
- digit runs by length only, `<d1>`…`<d4>`, `<d5>` (5-6), `<d7>` (7-9), `<d10>` (10+):
  short codes and phone numbers, not their values;
- links: `<url>` and `url:` + host (`url:bit.ly`), also bare (`example.com`) and
  obfuscated (`example dot com`, `example(dot)com`, `example . com`);
- the first four letters of each word of seven letters or more, after `~` (`~subs` for
  subscribe, subscribed, subscribing, subscrible): inflections and misspellings;
- adjacent pairs of the words, joined by a space (`check out`);
- `<caps>` when at least 8 letters are (ASCII) capitals and they outnumber small ones;
- `<lenN>` with N = ⌊log2(length + 1)⌋, at most 10.

Nothing here depends on a corpus's artifacts: the cleaning (cleaning.py) has removed them,
and U+FEFF and other invisible characters are dropped again here for live text.
"""

from __future__ import annotations

import math
import re
import string
import unicodedata
from itertools import pairwise

import re2

FEATURE_SET = "words+stems+pairs+links+digits+caps+length/v3"
"""Names this function's output: a model file records it, and loading checks it."""

_QUIET = re2.Options()
_QUIET.log_errors = False
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
# Bare links need a top-level domain that is not also a word glued after a full stop ("so.me").
_TLDS = "com|net|org|info|biz|ly|ru|tk|gl|xyz|uk"
_SPACED_TLDS = "com|net|org"
_PATH = r"(?:/[^\s<>\"]*)?"
_SPACED_DOT = r"(?: ?\(dot\) ?| ?\[dot\] ?| dot | \. ?|\. )"
# RE2: matching time linear in the text whatever it holds (and four times faster than `re`
# here, with the same matches on every corpus text).
_LINK = re2.compile(
    r"(?:https?://|www\.)[^\s<>\"]+"
    r"|\b[a-z0-9-]+"
    rf"(?:(?:\.[a-z0-9-]+)*?\.(?:{_TLDS})|{_SPACED_DOT}(?:{_SPACED_TLDS}))"
    rf"\b{_PATH}"
    rf"|\byoutu\.be\b{_PATH}",
    options=_QUIET,
)
# A cheap first look that every text with a link passes: only those are searched in full.
# Each branch starts with a literal, so that the engine skips to the next ".", "d", "h", "w".
_MAY_LINK = re.compile(
    rf"\. ?(?:{_TLDS}|be)\b|dot\)? ?(?:{_SPACED_TLDS})\b|dot\] ?(?:{_SPACED_TLDS})\b|https?:|www\."
)
_LINK_PREFIX = re.compile(r"^(?:https?://)?(?:www\.)?")
_OBFUSCATED_DOT = re.compile(rf"{_SPACED_DOT}(?=[a-z]+$)")
_REPEAT = re.compile(r"([a-z])\1\1+")
_TOKEN = re.compile(r"\w+|[^\w\s]")
_LETTERS_OR_DIGITS = re.compile(r"[^\W\d_]+|\d+")
_CAPITALS = string.ascii_uppercase.encode()
_SMALLS = string.ascii_lowercase.encode()
_CAPS_MIN_LETTERS = 8
_SPACED_MIN_LETTERS = 4
_STEM = 4
_STEM_MIN = 6
_LONGEST_LENGTH_BUCKET = 10
READ_CHARS = 300
_LENGTH_NAMES = [f"<len{bucket}>" for bucket in range(_LONGEST_LENGTH_BUCKET + 1)]


def features(text: str) -> dict[str, float]:
    """The feature vector of a text: each feature name with its value 1/√n."""
    names = feature_names(text)
    value = 1.0 / math.sqrt(len(names))
    return dict.fromkeys(names, value)


def feature_names(text: str) -> set[str]:
    """The features present in a text (never empty: the length bucket is always there).

    Only the first READ_CHARS characters are read, so that a long post costs no more than
    the budget: on the corpora, texts longer than that are classified alike either way."""
    text = text[:READ_CHARS]
    if not text.isascii():
        text = unicodedata.normalize("NFKC", _INVISIBLE.sub("", text))
    names = {_LENGTH_NAMES[min((len(text) + 1).bit_length() - 1, _LONGEST_LENGTH_BUCKET)]}
    if _mostly_capitals(text):
        names.add("<caps>")
    folded = text.casefold()
    if _MAY_LINK.search(folded):
        folded = _LINK.sub(lambda match: _link_names(match.group(), names), folded)
    tokens = _named_tokens(_TOKEN.findall(_REPEAT.sub(r"\1\1", folded)))
    names.update(tokens)
    names.update(
        [f"~{token[:_STEM]}" for token in tokens if len(token) > _STEM_MIN and token.isalpha()]
    )
    names.update([f"{first} {second}" for first, second in pairwise(tokens)])
    return names


def _mostly_capitals(text: str) -> bool:
    """Counted on the UTF-8 bytes, where deleting a byte class is fastest."""
    raw = text.encode()
    capitals = len(raw) - len(raw.translate(None, _CAPITALS))
    return capitals >= _CAPS_MIN_LETTERS and capitals > len(raw) - len(raw.translate(None, _SMALLS))


def _link_names(link: str, names: set[str]) -> str:
    """Add a link's names to `names`; the link itself becomes a space in the text."""
    host = _LINK_PREFIX.sub("", link).split("/", 1)[0].rstrip(".,!?:;)")
    names.add("<url>")
    names.add("url:" + _OBFUSCATED_DOT.sub(".", host))
    return " "


def _named_tokens(tokens: list[str]) -> list[str]:
    """Words, symbols and digit runs (named by their length), a word glued to digits split
    (`2day` → `<d1>`, `day`; an `_` inside a word dropped), a run of single letters joined."""
    named: list[str] = []
    spaced: list[str] = []
    for token in tokens:
        if len(token) == 1 and token.isalpha():
            spaced.append(token)
            continue
        if spaced:
            _flush_letters(spaced, named)
        if token.isdigit():
            named.append(_digits_name(token))
        elif token.isalpha() or len(token) == 1:
            named.append(token)
        else:
            named.extend(_split_mixed(token))
    _flush_letters(spaced, named)
    return named


def _split_mixed(token: str) -> list[str]:
    parts = _LETTERS_OR_DIGITS.findall(token)
    return [_digits_name(part) if part.isdigit() else part for part in parts]


def _flush_letters(letters: list[str], named: list[str]) -> None:
    if len(letters) >= _SPACED_MIN_LETTERS:
        named.append("".join(letters))
    else:
        named.extend(letters)
    letters.clear()


def _digits_name(digits: str) -> str:
    length = len(digits)
    if length < 5:
        return f"<d{length}>"
    return "<d5>" if length < 7 else "<d7>" if length < 10 else "<d10>"
