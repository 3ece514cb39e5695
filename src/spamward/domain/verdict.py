"""Verdicts, ordered from the mildest to the most severe."""

from __future__ import annotations

from enum import StrEnum


class Verdict(StrEnum):
    ALLOW = "allow"
    FLAG = "flag"
    CHALLENGE = "challenge"
    RATE_LIMIT = "rate_limit"
    HOLD = "hold"
    BLOCK = "block"

    @property
    def severity(self) -> int:
        return _SEVERITY[self]

    @classmethod
    def most_severe(cls, verdicts: list[Verdict]) -> Verdict:
        return max(verdicts, key=_SEVERITY.__getitem__, default=cls.ALLOW)


_SEVERITY = {verdict: rank for rank, verdict in enumerate(Verdict)}
