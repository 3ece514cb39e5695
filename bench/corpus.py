"""A fixed, seeded corpus of realistic posts built from the labelled corpora in ../shared.

Each post is about POST_LENGTH characters of comment and SMS text with exactly one URL.
The deny list is synthetic domains plus a share of the posts' own domains, so that some
posts are blocked and the deny-list path is exercised.
"""

from __future__ import annotations

import csv
import html
import json
import random
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spamward.domain.entity import EntityKind
from spamward.text.extract import extract

CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"
POST_COUNT = 400
POST_LENGTH = 550
MAX_URL_LENGTH = 150
MAX_WORD_LENGTH = 30
SYNTHETIC_DENIED = 10_000
DENIED_SHARE = 4  # one in this many of the posts' domains is denied
REGION = "US"
SEED = 2026
_URL = re.compile(r"https?://[^\s<>\"']+")
_LINK_KINDS = {EntityKind.URL, EntityKind.DOMAIN}
_TLDS = ("com", "net", "info", "xyz", "top", "co.uk")


@dataclass(frozen=True, slots=True)
class Corpus:
    posts: tuple[str, ...]
    deny_domains: tuple[str, ...]
    source_texts: int

    def event_body(self, index: int) -> dict[str, Any]:
        """The API body of post `index`: a post by one of a hundred recurring users, each
        from an address of their own (sites send the IP, and rules read it)."""
        text = self.posts[index % len(self.posts)]
        return {
            "type": "post",
            "actor": {"id": f"user-{index % 100:03d}", "ip": f"198.51.100.{index % 100}"},
            "content": {"text": text},
        }

    def write_event_bodies(self, path: Path) -> Path:
        """Every post's API body, one JSON object a line (for bench/post_events.lua)."""
        lines = (json.dumps(self.event_body(i), ensure_ascii=False) for i in range(len(self.posts)))
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path


def labelled_texts() -> list[str]:
    """Every YouTube comment and SMS message of the shared corpora, cleaned of artefacts."""
    return _youtube_texts() + _sms_texts()


def build_corpus() -> Corpus:
    texts = labelled_texts()
    urls = sorted(
        {match.group().rstrip(".,;:!?)") for text in texts for match in _URL.finditer(text)}
    )
    urls = [url for url in urls if len(url) <= MAX_URL_LENGTH]
    fillers = [text for text in texts if _is_filler(text)]
    rng = random.Random(SEED)
    posts: list[str] = []
    domains: set[str] = set()
    while len(posts) < POST_COUNT:
        post = _post(rng, fillers, rng.choice(urls))
        links = _links_in(post)
        if sum(kind is EntityKind.URL for kind, _ in links) == 1:
            posts.append(post)
            domains.update(value for kind, value in links if kind is EntityKind.DOMAIN)
    denied = sorted(domains)[::DENIED_SHARE] + _synthetic_domains(rng)
    return Corpus(tuple(posts), tuple(denied), len(texts))


def _youtube_texts() -> list[str]:
    texts: list[str] = []
    for path in sorted((CORPORA / "youtube_spam_collection").glob("Youtube0*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            texts += [_clean(row["CONTENT"]) for row in csv.DictReader(handle)]
    return [text for text in texts if text]


def _sms_texts() -> list[str]:
    path = CORPORA / "sms_spam_collection" / "SMSSpamCollection"
    lines = path.read_text(encoding="utf-8").splitlines()
    return [_clean(line.partition("\t")[2]) for line in lines if "\t" in line]


def _clean(raw: str) -> str:
    text = re.sub(r"<br\s*/?>", "\n", raw.replace("\ufeff", ""))
    return html.unescape(text).strip()


def _is_filler(text: str) -> bool:
    longest = max(map(len, text.split()), default=0)
    return longest <= MAX_WORD_LENGTH and not _links_in(text)


def _links_in(text: str) -> list[tuple[EntityKind, str]]:
    return [entity.key for entity in extract(text, REGION) if entity.kind in _LINK_KINDS]


def _post(rng: random.Random, fillers: list[str], url: str) -> str:
    words = _words(rng, fillers, POST_LENGTH - len(url) - 1)
    at = rng.randrange(len(words) + 1)
    return " ".join([*words[:at], url, *words[at:]])


def _words(rng: random.Random, fillers: list[str], budget: int) -> list[str]:
    words: list[str] = []
    length = 0
    while True:
        for word in rng.choice(fillers).split():
            if length + len(word) + 1 > budget:
                return words
            words.append(word)
            length += len(word) + 1


def _synthetic_domains(rng: random.Random) -> list[str]:
    return [
        f"{rng.choice(('deal', 'promo', 'win', 'cash', 'free'))}{n:05d}.{rng.choice(_TLDS)}"
        for n in range(SYNTHETIC_DENIED)
    ]
