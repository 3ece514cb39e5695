"""libphonenumber's matcher, run on bounded windows of the digit runs RE2 found.

A call costs 15 µs on a short number and up to 0.5 ms on a window full of digit groups, so
a run is read in pieces of MAX_PIECE characters (plus up to CONTEXT characters after them),
and a text gets at most MAX_WINDOWS matcher calls: 1 MB of "1-1-1-…" costs a bounded amount
of matcher time on top of RE2's linear scan.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import phonenumbers
import re2

LEADS = r"+\x{FF0B}(\x{FF08}\[\x{FF3B}"
_GROUP_START = re2.compile(rf"[^\p{{Nd}}]([{LEADS}]*\p{{Nd}})")

# What libphonenumber reads after a number: an extension ("ext. 1234", "x 56", "- 503#") or
# the minutes that make "2012-01-02 08" a time stamp.
_EXTENSION_OR_TIME = re.compile(
    r"(?i)[ \u00a0\t,]*"
    r"(?:e?xt(?:ensi(?:o\u0301?|ó)n)?n?|ｅ?ｘｔｎ?|доб|anexo|int|ｉｎｔ|[xｘ#＃~～])"
    r"[:.．]?[ \u00a0\t,-]*\d{1,20}#?"
    r"|[- ]+\d{1,6}#|;ext=\d{1,20}|:[0-5]\d"
)

MIN_DIGITS = 6  # the shortest number worth a matcher call (+49 49 34 in Germany)
MAX_PIECE = 64
CONTEXT = 40
MAX_WINDOWS = 400  # a 550-character post needs a handful
_SCAN = 256
_POSSIBLE = phonenumbers.Leniency.POSSIBLE


@dataclass(frozen=True, slots=True)
class Match:
    start: int
    end: int
    number: phonenumbers.PhoneNumber


class Reader:
    """Reads the runs of one text in order; each match starts after the previous one ends."""

    def __init__(self, text: str, region: str) -> None:
        self.text = text
        self.region = region
        self.windows_left = MAX_WINDOWS
        self.covered = 0

    def matches_in_run(self, start: int, end: int) -> Iterator[Match]:
        position = max(start, self.covered)
        while position < end and self.windows_left > 0:
            piece_end = min(position + MAX_PIECE, end)
            reached = piece_end
            for match in self._matches_in_piece(position, piece_end, end):
                if match.start >= self.covered:
                    self.covered = reached = match.end
                    yield match
            position = self._next_group_start(max(reached, self.covered), end)

    def _matches_in_piece(self, start: int, end: int, run_end: int) -> Iterator[Match]:
        """Matches that start in text[start:end], read with what follows it in the run and,
        at the run's end, an extension or time stamp that follows."""
        if sum(character.isdigit() for character in self.text[start:end]) < MIN_DIGITS:
            return
        self.windows_left -= 1
        window_end = min(end + CONTEXT, run_end)
        if window_end == run_end:
            tail = _EXTENSION_OR_TIME.match(self.text, run_end, run_end + CONTEXT)
            window_end = tail.end() if tail else run_end
        window = self.text[start:window_end]
        for match in phonenumbers.PhoneNumberMatcher(window, self.region, leniency=_POSSIBLE):
            if match.start >= end - start:
                return
            yield Match(start + match.start, start + match.end, match.number)

    def _next_group_start(self, position: int, end: int) -> int:
        """The first digit group (with its leading "+" or bracket) at or after `position`."""
        while position < end:
            scan_from = max(position - 1, 0)
            found = _GROUP_START.search(self.text[scan_from : min(position + _SCAN, end)])
            if found is not None:
                return scan_from + int(found.start(1))
            position += _SCAN - 1
        return end
