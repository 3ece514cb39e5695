"""Build the homoglyph tables that src/spamward/text/ ships, from Unicode's confusables data.

Run once by a developer (the product never reads ../shared/ at run time):

    .venv/bin/python scripts/make_confusables.py

Writes to src/spamward/text/data/:
- confusables.tsv: the UTS #39 prototype of every confusable character, for skeleton().
  One line per prototype: `prototype code points <TAB> source code points`, in hex.
- lookalikes.tsv: the ASCII letters each character can pass for, for keyword matching.
  One line per candidate set: `letters <TAB> code points`, in hex. A character's candidates
  come from its NFKC form, its accents stripped, its confusables skeleton, its Unicode name
  ("LATIN SMALL LETTER Q WITH HOOK TAIL" → q) and spamward's own leetspeak and look-alike
  additions below. Only NFKC-stable characters are listed: keyword matching sees NFKC text.
- LICENSE-unicode.txt: the Unicode License v3, with the source files' headers.

The tables follow the unicodedata of the Python that runs this script (use the project's).
"""

# ruff: noqa: RUF001  (look-alike letters are what this table is about)
from __future__ import annotations

import re
import string
import sys
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[2] / "shared/corpora/unicode_confusables"
TARGET = Path(__file__).resolve().parents[1] / "src/spamward/text/data"

# Leetspeak and look-alikes that confusables.txt does not list (it maps Σ to Ʃ, € to Ꞓ...).
SPAMWARD_ADDITIONS = {
    "0": "o", "1": "il", "2": "z", "3": "e", "4": "a", "5": "s", "6": "bg", "7": "t",
    "8": "b", "9": "g", "@": "a", "$": "s", "!": "i", "+": "t", "|": "il",
    "¡": "i", "€": "e", "£": "el", "¥": "y", "©": "c", "®": "r", "℗": "p", "µ": "u", "μ": "u",
    "ß": "b", "ð": "d", "∂": "ad", "ẟ": "d", "Ʃ": "e", "Ɛ": "e", "ɛ": "e", "ε": "e",
    "β": "b", "η": "n", "π": "n", "Π": "n", "τ": "t", "Δ": "a", "Λ": "a", "ξ": "e",
    "Я": "r", "я": "r", "И": "n", "и": "n", "Д": "d", "д": "d", "Ш": "w", "ш": "w",
    "Щ": "w", "щ": "w", "Ц": "u", "ц": "u", "Б": "b", "б": "b", "Г": "r", "г": "r",
    "П": "n", "п": "n", "Э": "e", "э": "e", "м": "m", "Є": "e", "є": "e", "ĸ": "k",
    "ω": "w", "χ": "x", "Ͳ": "t", "Ⴎ": "u", "Ꞓ": "e", "ꞓ": "e", "ⲉ": "e", "₱": "p", "ק": "p",
    "ᗩ": "a", "ᑕ": "c", "ᗴ": "e", "ᘜ": "g", "ᑎ": "n", "ᑫ": "q", "ᔕ": "s", "ᗯ": "w", "ᘔ": "z",
}  # fmt: skip
_LATIN_NAME = re.compile(
    r"(?:LATIN|REGIONAL INDICATOR SYMBOL)(?: CAPITAL| SMALL)? LETTER"
    r"(?: SMALL| CAPITAL| DOTLESS| REVERSED)* ([A-Z])(?: WITH .*)?$"
)


def main() -> None:
    prototypes = read_pairs(SOURCE / "confusables.txt")
    TARGET.mkdir(parents=True, exist_ok=True)
    write_groups(TARGET / "confusables.tsv", prototypes, hex_codes)
    lookalikes = find_lookalikes(prototypes, read_pairs(SOURCE / "intentional.txt"))
    write_groups(TARGET / "lookalikes.tsv", lookalikes, str)
    write_licence(TARGET / "LICENSE-unicode.txt")
    print(f"{len(prototypes)} prototypes, {len(lookalikes)} look-alikes written to {TARGET}")


def read_pairs(path: Path) -> dict[str, str]:
    pairs = {}
    for line in path.read_text(encoding="utf-8-sig").splitlines():
        fields = line.split("#", 1)[0].split(";")
        if len(fields) >= 2:
            source, target = (decode(field) for field in fields[:2])
            pairs[source] = target
    return pairs


def decode(field: str) -> str:
    return "".join(chr(int(code, 16)) for code in field.split())


def hex_codes(text: str) -> str:
    return " ".join(f"{ord(char):04X}" for char in text)


def write_groups(path: Path, mapping: dict[str, str], show: Callable[[str], str]) -> None:
    groups: dict[str, list[str]] = defaultdict(list)
    for source, target in mapping.items():
        groups[target].append(source)
    lines = [
        f"{show(target)}\t{hex_codes(''.join(sorted(sources)))}"
        for target, sources in groups.items()
    ]
    path.write_text("\n".join(sorted(lines)) + "\n", encoding="utf-8")


def find_lookalikes(prototypes: dict[str, str], intentional: dict[str, str]) -> dict[str, str]:
    by_skeleton: dict[str, set[str]] = defaultdict(set)
    for letter in string.ascii_letters:
        by_skeleton[skeleton(letter, prototypes)].add(letter.lower())
    additions = {o: a.lower() for a, o in intentional.items() if a in string.ascii_letters}
    additions |= SPAMWARD_ADDITIONS
    found = {}
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        if unicodedata.category(char) == "Cs" or unicodedata.normalize("NFKC", char) != char:
            continue
        letters = candidates(char, prototypes, by_skeleton, additions)
        if letters and letters != char:
            found[char] = letters
    return found


def candidates(
    char: str,
    prototypes: dict[str, str],
    by_skeleton: dict[str, set[str]],
    additions: dict[str, str],
) -> str:
    """The ASCII letters `char` passes for: its own, its base's, or its skeleton's."""
    letters = set(additions.get(char, ""))
    letters |= by_skeleton.get(skeleton(char, prototypes), set())
    for form in {
        strip_marks(unicodedata.normalize("NFD", char)),
        strip_marks(skeleton(char, prototypes)),
    }:
        letters |= by_skeleton.get(form, set()) | set(additions.get(form, ""))
        if form in string.ascii_letters:
            letters.add(form.lower())
        elif len(form) == 1:
            letters |= set(named_letter(form))
    return "".join(sorted(letters))


def skeleton(text: str, prototypes: dict[str, str]) -> str:
    mapped = "".join(prototypes.get(char, char) for char in unicodedata.normalize("NFD", text))
    return unicodedata.normalize("NFD", mapped)


def strip_marks(text: str) -> str:
    return "".join(char for char in text if not unicodedata.category(char).startswith("M"))


def named_letter(char: str) -> str:
    match = _LATIN_NAME.search(unicodedata.name(char, ""))
    return match.group(1).lower() if match else ""


def write_licence(path: Path) -> None:
    headers = [header(SOURCE / name) for name in ("confusables.txt", "intentional.txt")]
    path.write_text(LICENCE.format(headers="\n\n".join(headers)), encoding="utf-8")


def header(path: Path) -> str:
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    return "\n".join(line for line in lines[:12] if line.startswith("#"))


LICENCE = """\
confusables.tsv and lookalikes.tsv in this directory are derived from the Unicode Security
Mechanisms data files confusables.txt and intentional.txt (UTS #39, version 17.0.0,
https://www.unicode.org/Public/security/17.0.0/) by scripts/make_confusables.py.
lookalikes.tsv adds spamward's own leetspeak and look-alike mappings. The source files'
headers:

{headers}

UNICODE LICENSE V3

COPYRIGHT AND PERMISSION NOTICE

Copyright © 1991-2025 Unicode, Inc.

NOTICE TO USER: Carefully read the following legal agreement. BY
DOWNLOADING, INSTALLING, COPYING OR OTHERWISE USING DATA FILES, AND/OR
SOFTWARE, YOU UNEQUIVOCALLY ACCEPT, AND AGREE TO BE BOUND BY, ALL OF THE
TERMS AND CONDITIONS OF THIS AGREEMENT. IF YOU DO NOT AGREE, DO NOT
DOWNLOAD, INSTALL, COPY, DISTRIBUTE OR USE THE DATA FILES OR SOFTWARE.

Permission is hereby granted, free of charge, to any person obtaining a
copy of data files and any associated documentation (the "Data Files") or
software and any associated documentation (the "Software") to deal in the
Data Files or Software without restriction, including without limitation
the rights to use, copy, modify, merge, publish, distribute, and/or sell
copies of the Data Files or Software, and to permit persons to whom the
Data Files or Software are furnished to do so, provided that either (a)
this copyright and permission notice appear with all copies of the Data
Files or Software, or (b) this copyright and permission notice appear in
associated Documentation.

THE DATA FILES AND SOFTWARE ARE PROVIDED "AS IS", WITHOUT WARRANTY OF ANY
KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF
MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT OF
THIRD PARTY RIGHTS.

IN NO EVENT SHALL THE COPYRIGHT HOLDER OR HOLDERS INCLUDED IN THIS NOTICE
BE LIABLE FOR ANY CLAIM, OR ANY SPECIAL INDIRECT OR CONSEQUENTIAL DAMAGES,
OR ANY DAMAGES WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS,
WHETHER IN AN ACTION OF CONTRACT, NEGLIGENCE OR OTHER TORTIOUS ACTION,
ARISING OUT OF OR IN CONNECTION WITH THE USE OR PERFORMANCE OF THE DATA
FILES OR SOFTWARE.

Except as contained in this notice, the name of a copyright holder shall
not be used in advertising or otherwise to promote the sale, use or other
dealings in these Data Files or Software without prior written
authorization of the copyright holder.
"""


if __name__ == "__main__":
    main()
