"""The patterns that find e-mail addresses, plain and obfuscated, in linear time.

Two RE2 passes over a post find the regions worth a closer look, plain and obfuscated;
`PLAIN` and `AT_DOMAIN` then parse one short region exactly. The same grammar, spelled with
ASCII classes, parses ASCII regions with the stdlib (no RE2 call overhead; a region is at
most a kilobyte). No counted repetitions over Unicode classes: they blow RE2's DFA up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import re2

_WS = r"[\t\n\f\r ]"  # RE2's \s, spelled out so that both engines agree


def _marker(word: str, symbol: str) -> str:
    """`[at]`, `(at)`, `{at}`, `<at>`, `[@]`, `(@)`: a word or symbol a writer bracketed."""
    word = rf"{_WS}*(?i:{word}){_WS}*"
    brackets = rf"\[{word}\]|\({word}\)|\{{{word}\}}|<{word}>|\[{symbol}\]|\({symbol}\)"
    return rf"{_WS}*(?:{brackets}){_WS}*"


BRACKETED_AT = _marker("at", "@")
BARE_AT = rf"{_WS}+(?i:at){_WS}+"
_BRACKETED_DOT = _marker("dot", "[.]")
_BARE_DOT = rf"{_WS}+(?i:dot){_WS}+"
_WORD_DOT = rf"(?:{_BRACKETED_DOT}|{_BARE_DOT})"
_ANY_DOT = rf"(?:\.|{_WORD_DOT})"


@dataclass(frozen=True)
class _Grammar:
    alnum: str  # letters, combining marks and decimal digits

    @property
    def local_char(self) -> str:  # RFC 5322 atext (Unicode letters per RFC 6531) and '.'
        return "[" + self.alnum + r"!#$%&'*+/=?^_`{|}~.\-]"

    @property
    def domain(self) -> str:
        # Bare "dot" words only in a domain spelled with them alone: "x@example.org dot buy"
        # ends at "org", the way its writer meant it.
        label = "[" + self.alnum + r"\-]+"
        return rf"(?:{label}(?:{_BARE_DOT}{label})+|{label}(?:(?:\.|{_BRACKETED_DOT}){label})*)"

    def plain(self) -> str:
        return rf"({self.local_char}+)@({self.domain})"

    def at_domain(self) -> str:
        return rf"({BRACKETED_AT}|{BARE_AT})({self.domain})"


_UNICODE = _Grammar(r"\p{L}\p{M}\p{Nd}")
_ASCII = _Grammar("A-Za-z0-9")

# After the "at", candidates take any letter, digit or hyphen of any script: a few ranges
# instead of copies of \p{L}, which kept RE2's DFA cache thrashing on adversarial Unicode.
# Not in it: ASCII punctuation, spaces, general and CJK punctuation, arrows and dingbats,
# emoji. The parse that follows is exact.
_WORDISH = (
    r"[^\x00-\x2c\x2e\x2f\x3a-\x40\x5b-\x60\x7b-\x{bf}\p{Z}\x{2000}-\x{2bff}"
    r"\x{3000}-\x{303f}\x{fe30}-\x{fe4f}\x{ff00}-\x{ff0f}\x{1f000}-\x{1faff}]"
)
_LABELS = rf"{_WORDISH}+(?:{_ANY_DOT}{_WORDISH}+)*"
# A plain candidate is the local part, exactly, and the run after its '@' through dots and
# further '@'s: "a@a@a@…" is one region, not a million.
PLAIN_CANDIDATE = re2.compile(
    rf"{_UNICODE.local_char}+@{_WORDISH}(?:[.@]|{_WORDISH}|{_WORD_DOT}{_WORDISH})*"
)
# An obfuscated candidate starts at its "at" (the name before it is read backwards), so one
# that turns out to be prose never swallows the name of the next. A bracketed "at" needs a
# dot, a bare one a spelled-out dot: "email me at john.doe@example.com" is a plain address.
OBFUSCATED_CANDIDATE = re2.compile(
    rf"{BRACKETED_AT}{_WORDISH}+(?:{_ANY_DOT}{_WORDISH}+)+|{BARE_AT}{_LABELS}{_WORD_DOT}{_LABELS}"
)
PLAIN = re2.compile(_UNICODE.plain())
AT_DOMAIN = re2.compile(_UNICODE.at_domain())
ASCII_PLAIN = re.compile(_ASCII.plain())
ASCII_AT_DOMAIN = re.compile(_ASCII.at_domain())
DOT_SPLIT = re.compile(_ANY_DOT)  # a matched domain's dots: split on them, or find them
