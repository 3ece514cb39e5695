"""Extraction alone: per text of the labelled corpora, and on 1 MB adversarial inputs.

Adversarial inputs must cost time linear in their length (no backtracking blow-ups); the
report shows seconds per megabyte for each.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from bench.corpus import REGION, labelled_texts
from bench.timing import Timing, time_calls
from spamward.text.extract import extract

MEGABYTE = 1_000_000
ADVERSARIAL: dict[str, str] = {
    "a.a.a.a…": "a." * (MEGABYTE // 2),
    "digits and dashes": "1-" * (MEGABYTE // 2),
    "@@@…": "@" * MEGABYTE,
    "a@a@a@…": "a@" * (MEGABYTE // 2),
    "one link, 1 MB of ((((": "http://a.example/" + "(" * MEGABYTE,
    "70,000 links in brackets": "(http://x.example.com)" * (MEGABYTE // 22),
    "x[dot]x[dot]…": "x[dot]" * (MEGABYTE // 6),
    "zero-width flood": "bit\u200b" * (MEGABYTE // 4),
    "digits only": "7" * MEGABYTE,
}


@dataclass(frozen=True, slots=True)
class AdversarialRun:
    name: str
    chars: int
    seconds: float
    entities: int


@dataclass(frozen=True, slots=True)
class ExtractionResults:
    per_text: Timing
    texts: int
    adversarial: list[AdversarialRun]


def run_extraction(progress: Callable[[str], None]) -> ExtractionResults:
    texts = labelled_texts()
    progress(f"extraction over {len(texts):,} corpus texts")
    per_text = time_calls(
        "extract, per corpus text", lambda text: extract(text, REGION), texts, len(texts), 500
    )
    progress("extraction on adversarial inputs")
    return ExtractionResults(
        per_text, len(texts), [_adversarial(n, t) for n, t in ADVERSARIAL.items()]
    )


def _adversarial(name: str, text: str) -> AdversarialRun:
    started = time.perf_counter()
    entities = len(extract(text, REGION))
    return AdversarialRun(name, len(text), time.perf_counter() - started, entities)
