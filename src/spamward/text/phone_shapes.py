"""Written shapes that make a possible phone number something else: each takes the match as
written and answers whether it is a date, a version, an IP address, a count or an ID."""

from __future__ import annotations

import re

_DAY_OR_MONTH = r"(?:0?[1-9]|[12]\d|3[01])"
_YEAR = r"(?:19|20)\d\d"
_HOUR = r"(?:\s+[0-2]?\d(?:[:.h][0-5]\d)?)?"
_DATE = re.compile(
    rf"(?:{_YEAR}([-./]){_DAY_OR_MONTH}\1{_DAY_OR_MONTH}"
    rf"|{_DAY_OR_MONTH}([-./]){_DAY_OR_MONTH}\2(?:{_YEAR}|\d\d)){_HOUR}"
)
_YEAR_RANGE = re.compile(rf"{_YEAR}\s*[-–—/]\s*(?:{_YEAR}|\d\d)(?!\d)")


def is_date(raw: str) -> bool:
    """2024-01-15, 15/01/2024, 01.02.2023 (with or without an hour), 1979-2011."""
    return bool(_DATE.fullmatch(raw) or _YEAR_RANGE.match(raw))


_DOTTED = re.compile(r"\d+(?:\.\d+)+")


def is_version_ip_address_or_decimal(raw: str) -> bool:
    """10.0.19045, 1.2.3.4567, 192.168.1.1, 48.85661: dotted numbers no phone is written as."""
    if not _DOTTED.fullmatch(raw):
        return False
    parts = raw.split(".")
    one_digit_inner_part = any(len(part) == 1 for part in parts[1:])
    ip_address = len(parts) == 4 and all(len(part) <= 3 and int(part) <= 255 for part in parts)
    decimal = len(parts) == 2 and len(parts[0]) <= 2
    return one_digit_inner_part or ip_address or decimal


_THOUSANDS = re.compile(r"[1-9]\d{0,2}(?:([ .,'’])\d{3})(?:\1\d{3})+")
_ROUND = re.compile(r"[1-9]\d{0,2}0{5,}")


def is_count(raw: str) -> bool:
    """2.124.821.694 or 1 753 682 421 (thousands separators), 1000000 or 3 000 000 (round).

    Three groups of three (Italy, Spain: 312 345 678) stay numbers unless they are round.
    """
    thousands = _THOUSANDS.fullmatch(raw)
    if thousands and (thousands.group(1) != " " or raw.count(" ") >= 3):
        return True
    return _ROUND.fullmatch(_digits(raw)) is not None


def is_isbn(raw: str) -> bool:
    digits = _digits(raw)
    if len(digits) != 13 or digits[:3] not in ("978", "979"):
        return False
    weighted = sum(int(digit) * (3 if index % 2 else 1) for index, digit in enumerate(digits))
    return weighted % 10 == 0


def is_long_digit_string(raw: str) -> bool:
    """4829104829104: IDs and card numbers, unless written with an international prefix."""
    return raw.isdigit() and len(raw) > 12 and not raw.startswith("00")


def last_group_length(raw: str) -> int:
    """How many digits the number ends with after its last separator."""
    length = 0
    for character in reversed(raw):
        if not character.isdigit():
            break
        length += 1
    return length


def _digits(raw: str) -> str:
    return "".join(character for character in raw if character.isdigit())
