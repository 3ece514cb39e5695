"""Duplicate text: a key that survives the small changes spammers make between reposts.

The folded text is the normalised text, lower-cased, with each URL, e-mail address and
number replaced by a token (URL_TOKEN, EMAIL_TOKEN, NUMBER_TOKEN); look-alike letters
folded to Latin; a digit run of one or two right after a letter read as leet (FR33 → free);
"l" and "i" merged (1, l, I and | stand for both); apostrophes and hyphens removed; other
punctuation, emoji and symbols dropped; the words joined by single spaces. The key is the
hex blake2b digest (16 bytes) of the folded text in UTF-8.

Look-alike folding is a parameter (`Fold`): the default knows the common Cyrillic and Greek
look-alikes; a confusables skeleton can be passed instead. It gets lower-case text that still
holds the tokens (control characters, to be kept) and leet digits; its output is lower-cased.
The cost is linear: C-level passes, regexes that cannot backtrack, a Python step per link.
"""

from __future__ import annotations

import hashlib
import re
import string
from collections.abc import Callable
from dataclasses import dataclass, field

from spamward.text import shingles
from spamward.text.normalise import normalise

Fold = Callable[[str], str]

URL_TOKEN, EMAIL_TOKEN, NUMBER_TOKEN = "\x01", "\x02", "\x03"
SAMPLE_CHARS = 120

# Each search below starts at a literal, so that the regex engine can skip ahead quickly.
_SCHEMED_URLS = (re.compile(r"https?://\S*"), re.compile(r"www\.\S*"))
# What gives away an e-mail address or a bare link ("bit.ly/x"); the rest of its
# whitespace-delimited token goes with it. TLDs that are also English words ("do.it") count
# only before a path, so that sloppy prose does not read as links.
_EMAIL_CORE = re.compile(r"@[\w-]+\.[a-z]")
_BARE_LINK_CORE = re.compile(
    r"\.(?=[a-z]{2})(?:(?:be|gd|in|is|it|me|to|us)/"
    r"|(?:biz|cc|cn|co|com|de|eu|gl|info|io|ly|net|org|ru|site|tk|top|tv|uk|ws|xyz)\b)"
)
_SPACE = re.compile(r"\s")
# Digit groups and anything but letters and tokens between them, from a digit that follows
# no letter or digit or that starts a run of three or more (shorter runs after a letter are
# leet). The assertions follow the first digit so that the scan can jump from digit to digit.
_NUMBER = re.compile(r"[0-9](?:(?<![^\W_][0-9])|(?=[0-9]{2}))[0-9]*(?:[^\w\x01-\x03]+[0-9]+)*")
_COMBINING_MARKS = re.compile(r"[\u0300-\u036f]+")  # accents, and Zalgo's strike-throughs
_NON_ASCII_SYMBOLS = re.compile(r"[^\x00-\x7f\w]+")
_LOOKALIKES = str.maketrans(
    "аеёіїјкмнорстуѕхԁһԛԝьɑɡıαβγεηικνορτυχω", "aeeiijkmhopctysxdhqwbagiabyeniknoptuxw"
)
_LOOKALIKE = re.compile(f"[{''.join(map(chr, _LOOKALIKES))}]")
_ASCII_REPLACEMENTS = {
    **dict.fromkeys(string.punctuation + string.whitespace, " "),
    **dict(zip("0123456789$@|l", "oizeasgtbgsaii", strict=True)),
}
_ASCII_FOLD = bytes.maketrans(
    "".join(_ASCII_REPLACEMENTS).encode(), "".join(_ASCII_REPLACEMENTS.values()).encode()
)


@dataclass(frozen=True, slots=True)
class TextFingerprint:
    key: str  # hex digest of the folded text: the `text` entity's value
    sample: str  # the start of the normalised text, for moderators
    words: tuple[bytes, ...] = field(repr=False)  # the folded words the key was made from

    @property
    def signature(self) -> str:
        """The near-duplicate signature, compared with shingles.similarity; computed only
        when asked for (clustering), not on every decision."""
        return shingles.signature(list(self.words))


def fold_lookalikes(text: str) -> str:
    """The default Fold: Cyrillic and Greek letters that pass for Latin ones become Latin."""
    if text.isascii() or not _LOOKALIKE.search(text):
        return text
    return text.translate(_LOOKALIKES)


def text_fingerprint(
    text: str, min_chars: int = 50, fold: Fold = fold_lookalikes
) -> TextFingerprint | None:
    """The fingerprint of `text`, or None when its folded text is shorter than `min_chars`."""
    return fingerprint_normalised(normalise(text).text, min_chars, fold)


def fingerprint_normalised(
    clean: str, min_chars: int = 50, fold: Fold = fold_lookalikes
) -> TextFingerprint | None:
    """text_fingerprint for text already normalised (as extraction has it): same result."""
    words = _folded_words(clean, fold)
    folded = b" ".join(words)
    if len(folded.decode()) < min_chars:  # characters, not bytes
        return None
    key = hashlib.blake2b(folded, digest_size=16).hexdigest()
    return TextFingerprint(key, _sample(clean), tuple(words))


def fold_text(text: str, fold: Fold = fold_lookalikes) -> str:
    """The folded text whose digest is the key (to explain a key, and for tests)."""
    return b" ".join(_folded_words(normalise(text).text, fold)).decode()


def _folded_words(clean: str, fold: Fold) -> list[bytes]:
    """The words of the folded text, UTF-8 encoded."""
    text = _mask_links(clean.lower())
    text = fold(_NUMBER.sub(f" {NUMBER_TOKEN} ", text)).lower()
    if not text.isascii():
        text = _COMBINING_MARKS.sub("", text.replace("’", "'"))
        text = _NON_ASCII_SYMBOLS.sub(" ", text)
    return text.encode().translate(_ASCII_FOLD, b"'-").split()


def _mask_links(text: str) -> str:
    for schemed_url in _SCHEMED_URLS:
        text = schemed_url.sub(f" {URL_TOKEN} ", text)
    if "@" in text:
        text = _mask_tokens(text, _EMAIL_CORE, EMAIL_TOKEN)
    return _mask_tokens(text, _BARE_LINK_CORE, URL_TOKEN)


def _mask_tokens(text: str, core_pattern: re.Pattern[str], token: str) -> str:
    """Replace each whitespace-delimited token in which `core_pattern` matches."""
    pieces: list[str] = []
    done = 0
    core = core_pattern.search(text)
    while core is not None:
        start, end = core.span()
        # A dot after punctuation ("...com") does not start a top-level domain.
        if text[start] == "@" or (start > 0 and text[start - 1].isalnum()):
            pieces += (text[done : _token_start(text, done, start)], f" {token} ")
            space = _SPACE.search(text, end)
            done = end = space.start() if space else len(text)
        core = core_pattern.search(text, end)
    pieces.append(text[done:])
    return "".join(pieces)


def _token_start(text: str, lower_bound: int, position: int) -> int:
    last_blank = max(text.rfind(blank, lower_bound, position) for blank in " \n\t")
    return max(last_blank + 1, lower_bound)


def _sample(clean: str) -> str:
    """The text with whitespace collapsed, cut at a space and marked "…" if longer."""
    text = clean.lstrip()
    head = " ".join(text[: 2 * SAMPLE_CHARS].split())
    if len(head) <= SAMPLE_CHARS and len(text) <= 2 * SAMPLE_CHARS:
        return head
    cut = head.rfind(" ", SAMPLE_CHARS // 2, SAMPLE_CHARS)
    return head[: cut if cut > 0 else SAMPLE_CHARS - 1] + "…"
