"""A possible phone number as libphonenumber found it, with the text around it."""

from __future__ import annotations

from dataclasses import dataclass

import phonenumbers

AROUND = 32  # characters of context the rules look at on each side


@dataclass(frozen=True, slots=True)
class Candidate:
    text: str
    start: int
    end: int
    number: phonenumbers.PhoneNumber
    region: str

    @property
    def raw(self) -> str:
        return self.text[self.start : self.end]

    @property
    def before(self) -> str:
        return self.text[max(self.start - AROUND, 0) : self.start]

    @property
    def after(self) -> str:
        return self.text[self.end : self.end + AROUND]
