"""Phone numbers, found by libphonenumber in digit runs that RE2 points at.

The matcher is run only on candidate windows, not the whole post: it costs about 15 µs a
call. POSSIBLE leniency keeps numbers like 555-123-4567 that are well-formed but unassigned.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import phonenumbers
import re2

_CANDIDATE = re2.compile(r"\+?\(?\d[\d\s().\-/]{5,30}\d")
_E164 = phonenumbers.PhoneNumberFormat.E164


@dataclass(frozen=True, slots=True)
class FoundPhone:
    start: int
    end: int
    e164: str
    written: str


def find_phones(text: str, region: str) -> Iterator[FoundPhone]:
    for candidate in _CANDIDATE.finditer(text):
        offset = candidate.start()
        matcher = phonenumbers.PhoneNumberMatcher(
            candidate.group(), region, leniency=phonenumbers.Leniency.POSSIBLE
        )
        for match in matcher:
            yield FoundPhone(
                offset + match.start,
                offset + match.end,
                phonenumbers.format_number(match.number, _E164),
                match.raw_string,
            )
