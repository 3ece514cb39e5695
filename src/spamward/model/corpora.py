"""The labelled corpora, read from a directory laid out as `../shared/corpora` is.

Each loader returns cleaned examples in file order (see cleaning.py for what is removed);
only CONTENT and CLASS are read from the YouTube files, never DATE, AUTHOR or COMMENT_ID.
Duplicates are removed by `deduplicate`, before any split, so that no text can be on both
sides of one.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from spamward.errors import ConfigError
from spamward.model.cleaning import clean_sms, clean_text, duplicate_key, is_corrupted

YOUTUBE_DIR = "youtube_spam_collection"
YOUTUBE_FILES = (
    "Youtube01-Psy.csv",
    "Youtube02-KatyPerry.csv",
    "Youtube03-LMFAO.csv",
    "Youtube04-Eminem.csv",
    "Youtube05-Shakira.csv",
)
AUTHORS_SPLIT = "authors_split_70_30.csv"
SMS_FILE = "sms_spam_collection/SMSSpamCollection"
SMS_SOURCE = "SMSSpamCollection"
EXTRA_FILE = "youtube_tubespam2014_extra/tubespam2014_extra_combined.csv"


@dataclass(frozen=True, slots=True)
class Example:
    """One labelled text: `label` is 1 for spam, 0 for ham; `source` and `row` (0-based data
    row) say where it came from."""

    text: str
    label: int
    source: str
    row: int


def corpus_of(example: Example) -> str:
    """ "sms" or "youtube" (the UCI videos and the TubeSpam extra ones)."""
    return "sms" if example.source == SMS_SOURCE else "youtube"


def default_corpora_dir() -> Path:
    """`../shared/corpora` next to the repository this package is checked out in."""
    return Path(__file__).resolve().parents[4] / "shared" / "corpora"


def youtube_path(directory: Path, name: str) -> Path:
    return existing(directory / YOUTUBE_DIR / name)


def youtube_examples(directory: Path, names: Iterable[str] = YOUTUBE_FILES) -> list[Example]:
    """The five UCI videos, corrupted rows left out."""
    examples: list[Example] = []
    for name in names:
        for row, record in enumerate(_csv_records(youtube_path(directory, name))):
            if not is_corrupted(record["CONTENT"]):
                examples.append(_example(record, name, row))
    return examples


def extra_examples(directory: Path) -> list[Example]:
    """The TubeSpam 2014 pilot videos (out of distribution); `source` is the video."""
    records = _csv_records(existing(directory / EXTRA_FILE))
    return [_example(record, record["VIDEO"], row) for row, record in enumerate(records)]


def sms_examples(directory: Path) -> list[Example]:
    """The SMS Spam Collection: `label<TAB>text` lines."""
    lines = existing(directory / SMS_FILE).read_text(encoding="utf-8").splitlines()
    examples = []
    for row, line in enumerate(lines):
        label, _, text = line.partition("\t")
        examples.append(Example(clean_sms(text), int(label == "spam"), SMS_SOURCE, row))
    return examples


def authors_split(directory: Path) -> dict[tuple[str, int], str]:
    """(file, row) → "train" or "test", the YouTube authors' per-video 70/30 protocol."""
    records = _csv_records(youtube_path(directory, AUTHORS_SPLIT))
    return {(record["file"], int(record["row_index"])): record["split"] for record in records}


def deduplicate(examples: Iterable[Example]) -> list[Example]:
    """The first example of each text (case and spacing ignored), in order; empty texts go."""
    seen: set[str] = set()
    kept = []
    for example in examples:
        key = duplicate_key(example.text)
        if key and key not in seen:
            seen.add(key)
            kept.append(example)
    return kept


def rows_in_file(path: Path) -> int:
    """Data rows as the file has them: CSV records, or lines for the SMS file."""
    if path.suffix == ".csv":
        return len(_csv_records(path))
    return len(path.read_text(encoding="utf-8").splitlines())


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def existing(path: Path) -> Path:
    if not path.is_file():
        raise ConfigError(f"corpus file {path} is missing (is --corpora the right directory?)")
    return path


def _csv_records(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def _example(record: dict[str, str], source: str, row: int) -> Example:
    return Example(clean_text(record["CONTENT"]), int(record["CLASS"]), source, row)
