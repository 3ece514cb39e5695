"""Phone numbers: RE2 points at digit runs, libphonenumber reads small windows of them.

Policy: POSSIBLE leniency, so numbers that are well-formed but unassigned (555-123-4567) are
found; `phone_rules` then drops what is clearly something else (dates, prices, versions, IP
addresses, labelled order numbers). Spelled-out digits are read through `phone_words`, and
`phone_reader` keeps the matcher's work bounded.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice

import phonenumbers
import re2

from spamward.text.phone_candidate import Candidate
from spamward.text.phone_reader import LEADS, MIN_DIGITS, Reader
from spamward.text.phone_rules import reason_to_reject
from spamward.text.phone_words import DISGUISE, DigitView, digit_view

# libphonenumber's punctuation inside numbers, plus "x" (carrier codes, extensions) and tabs.
_BETWEEN = (
    r"\p{Zs}\t\-\x{2010}-\x{2015}\x{2212}\x{30FC}\x{FF0D}-\x{FF0F}/.~\x{2053}\x{223C}"
    r"\x{FF5E}()\x{FF08}\x{FF09}\[\]\x{FF3B}\x{FF3D}\x{AD}\x{200B}\x{2060}xX"
)
# Runs with fewer than MIN_DIGITS digits never reach Python.
_RUN = rf"[{LEADS}]*\p{{Nd}}(?:[{_BETWEEN}]*\p{{Nd}}){{{MIN_DIGITS - 1},}}"
_RUNS = re2.compile(_RUN)
_RUNS_OR_DISGUISES = re2.compile(rf"(?P<run>{_RUN})|{DISGUISE}")

MAX_RUNS = 1000  # digit runs read per text: a post has a handful, a hostile text is cut off
_E164 = phonenumbers.PhoneNumberFormat.E164


@dataclass(frozen=True, slots=True)
class FoundPhone:
    start: int
    end: int
    e164: str
    written: str  # text[start:end], the number as written


def find_phones(text: str, region: str) -> Iterator[FoundPhone]:
    """Phone numbers in `text`; national ones are read as numbers of `region` ("ZZ": none)."""
    view, runs = _runs(text)
    region = region.upper()
    reader = Reader(view.text, region)
    for run_start, run_end in runs:
        for match in reader.matches_in_run(run_start, run_end):
            candidate = Candidate(view.text, match.start, match.end, match.number, region)
            if reason_to_reject(candidate):
                continue
            start, end = view.original_span(match.start, match.end)
            yield FoundPhone(
                start, end, phonenumbers.format_number(match.number, _E164), text[start:end]
            )


def _runs(text: str) -> tuple[DigitView, list[tuple[int, int]]]:
    """Digit runs worth reading, in the text itself or, if it disguises digits, in its view."""
    runs: list[tuple[int, int]] = []
    for found in islice(_RUNS_OR_DISGUISES.finditer(text), MAX_RUNS):
        # A run that stops at a letter O ("440O08") hides a disguise it started to match.
        if found.group("run") is None or text.startswith(("O", "o"), found.end()):
            view = digit_view(text)
            return view, [run.span() for run in islice(_RUNS.finditer(view.text), MAX_RUNS)]
        runs.append(found.span())
    return DigitView(text), runs
