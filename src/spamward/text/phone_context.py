"""Rules on what surrounds a possible phone number: money, codes, card numbers, labels."""

from __future__ import annotations

import re
import unicodedata

from spamward.text.phone_candidate import Candidate


def _is_money_or_percent(character: str) -> bool:
    return character == "%" or unicodedata.category(character) == "Sc"


def glued_to_an_amount(candidate: Candidate) -> bool:
    """$415-666-7777, 415-666-7777%: a price or a share, as at libphonenumber's VALID level.

    Letters glued on ("call5551234567now") are let through: that is how spam hides numbers.
    """
    return any(map(_is_money_or_percent, candidate.before[-1:] + candidate.after[:1]))


def next_to_money(candidate: Candidate) -> bool:
    """€ 1.234.567, 1 234 567 €, 12.345.678,90: a currency sign or decimals next to it."""
    before = candidate.before.removesuffix(" ")
    after = candidate.after.removeprefix(" ")
    sign_before = before[-1:] and unicodedata.category(before[-1]) == "Sc"
    # "555-123-4567 $50 off": a sign that starts the next amount is not this number's.
    sign_after = after[:1] and unicodedata.category(after[0]) == "Sc"
    next_amount = after[1:].lstrip(" ")[:1].isdigit()
    decimals = re.match(r"[.,]\d", candidate.after)
    return bool(sign_before or (sign_after and not next_amount) or decimals)


def inside_a_code(candidate: Candidate) -> bool:
    """e3b0c44298fc1c149afbf4c8996fb9: digits inside a word that holds other digits."""
    before, after = candidate.before, candidate.after
    head = len(before)
    while head > 0 and before[head - 1].isalnum():
        head -= 1
    tail = 0
    while tail < len(after) and after[tail].isalnum():
        tail += 1
    return any(character.isdigit() for character in before[head:] + after[:tail])


_GROUPS_OF_FOUR = re.compile(r"\d{4}(?:([ -])\d{4})+(?:\1\d{1,3})?")


def part_of_a_card_number(candidate: Candidate) -> bool:
    """4111 1111 1111 1111, DE89 3704 0044 0532 0130 00: groups of four that go on."""
    groups = _GROUPS_OF_FOUR.fullmatch(candidate.raw)
    if groups is None:
        return False
    separator = groups.group(1)
    goes_on_before = candidate.before.endswith(separator) and candidate.before[-2:-1].isalnum()
    goes_on_after = candidate.after.startswith(separator) and candidate.after[1:2].isdigit()
    return goes_on_before or goes_on_after


_LABELS = frozenset(
    "order ref reference invoice inv tracking account acct ticket id serial s/n sn sku isbn issn"
    " ean upc po transaction txn confirmation policy claim parcel shipment item model part"
    " version ver build release v code pin otp zip postcode iban bic vat".split()
)
_NUMBER_WORDS = frozenset("no nr num number id code".split())


def labelled_identifier(candidate: Candidate) -> bool:
    """Order #1234567890, ref. 4711-0815, Invoice no. 5551234567: the text says what it is.

    A number written with its "+" country code is a phone number whatever the label says.
    """
    if candidate.raw[0] in "+＋":
        return False
    words = [word.strip(".:-") for word in candidate.before.lower().replace("#", " # ").split()]
    words = ["", "", *(word for word in words if word)]
    before_last, last = words[-2:]
    if last == "#" or (last in _LABELS and before_last != "area"):
        return True
    return last in _NUMBER_WORDS and before_last in _LABELS  # "invoice no.", "order number"
