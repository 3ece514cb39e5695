"""find_phones on spam-shaped text: what it finds, what it leaves, and that it stays cheap.

libphonenumber's own cases run in test_phones_suite.py; these are our policy's.
"""

from __future__ import annotations

from collections.abc import Callable

import phonenumbers
import pytest
from hypothesis import given
from hypothesis import strategies as st

from spamward.text import phone_shapes
from spamward.text.phone_candidate import Candidate
from spamward.text.phone_rules import reason_to_reject
from spamward.text.phone_words import digit_view
from spamward.text.phones import FoundPhone, find_phones
from tests.conftest import EXAMPLE_POST


def phones(text: str, region: str = "US") -> list[tuple[str, str]]:
    return [(phone.written, phone.e164) for phone in find_phones(text, region)]


def test_the_spam_manager_example() -> None:
    text = "Visithttps://bit.ly/3iXhvjG or call 555-123-4567"

    assert list(find_phones(text, "US")) == [FoundPhone(36, 48, "+15551234567", "555-123-4567")]
    assert phones(EXAMPLE_POST) == [("555-123-4567", "+15551234567")]


@pytest.mark.parametrize(
    ("text", "written", "e164"),
    [
        ("Call +44 20 7946 0018 today", "+44 20 7946 0018", "+442079460018"),
        ("WhatsApp: +49 30 1234567!", "+49 30 1234567", "+49301234567"),
        ("ring +33 1 23 45 67 89", "+33 1 23 45 67 89", "+33123456789"),
        ("from the US dial 011 44 20 7946 0018", "011 44 20 7946 0018", "+442079460018"),
        ("India +91 98765 43210 cheap", "+91 98765 43210", "+919876543210"),
        ("+1 (415) 666-7777 ext. 89", "+1 (415) 666-7777 ext. 89", "+14156667777"),
        ("call (212) 555-0100 now", "(212) 555-0100", "+12125550100"),
        ("1-800-555-0199 toll free", "1-800-555-0199", "+18005550199"),
    ],
)
def test_international_and_national_numbers_in_a_us_post(
    text: str, written: str, e164: str
) -> None:
    assert phones(text) == [(written, e164)]


def test_national_numbers_are_read_in_the_project_region() -> None:
    assert phones("ring 020 7946 0018", "GB") == [("020 7946 0018", "+442079460018")]
    assert phones("Tel 030 1234567", "DE") == [("030 1234567", "+49301234567")]
    assert phones("ring 020 7946 0018", "US") == []  # no US area code starts with 0


def test_an_unknown_region_finds_only_international_numbers() -> None:
    text = "call 555-123-4567 or +44 20 7946 0018"

    assert phones(text, "ZZ") == [("+44 20 7946 0018", "+442079460018")]


def test_possible_but_unassigned_numbers_are_found() -> None:
    assert phones("call 555-123-4567") == [("555-123-4567", "+15551234567")]
    assert phones("call 555-1234") == [("555-1234", "+15551234")]  # a local number


@pytest.mark.parametrize(
    "text",
    [
        # dates, times, year ranges
        "on 2024-01-15 we",
        "due 15/01/2024",
        "am 01.02.2023 um",
        "2024-01-15 14:00",
        "2014-04-12 04:04 PM",
        "in 1999-2024",
        # prices, amounts and counts
        "only $1,234.56",
        "1.234,00 €",
        "€1.234.567 prize",
        "1 234 567 € prize",
        "win $4156667777",
        "12.345.678,90 EUR",
        "2.124.821.694 views",
        "1 753 682 421 views",
        "3 000 000 dollars",
        "up 4156667777% today",
        # versions, IP addresses, decimals
        "v1.2.3",
        "Windows 10.0.19045",
        "version 10.0.19045.1234",
        "build 22621.2428",
        "192.168.1.1",
        "ping 10.0.0.138",
        "host 192.168.100.100",
        "lat 48.856613",
        # order, reference and other identifiers
        "Order #123456789",
        "Order #1234567890",
        "ref. 4711-0815",
        "Invoice no. 5551234567",
        "tracking 1Z999AA10123456784",
        "ISBN 978-3-16-148410-0",
        "978-3-16-148410-0",
        "id 48291048291048",
        "card 4111 1111 1111 1111",
        "IBAN DE89 3704 0044 0532 0130 00",
        "sha e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "Scored 4280703 points",
        # counting is not a number
        "one, two, three, four, five, six, seven",
    ],
)
@pytest.mark.parametrize("region", ["US", "DE", "GB"])
def test_things_that_are_not_phone_numbers(text: str, region: str) -> None:
    assert phones(text, region) == []


@pytest.mark.parametrize(
    ("text", "region", "reason"),
    [
        ("on 2024-01-15 we", "DE", "a date"),
        ("€ 1.234.567 prize", "US", "next to money"),
        ("win $4156667777", "US", "glued to an amount"),
        ("ping 10.0.0.138", "US", "a version, IP address or decimal"),
        ("Order #1234567890", "US", "a labelled identifier"),
        ("2.124.821.694 views", "US", "a count"),
        ("call 0906346330", "US", "outside the North American plan"),
        ("ring (20) 3346 1234", "GB", "missing its trunk prefix"),
    ],
)
def test_each_rejection_names_its_reason(text: str, region: str, reason: str) -> None:
    possible = phonenumbers.Leniency.POSSIBLE
    [match] = phonenumbers.PhoneNumberMatcher(text, region, leniency=possible)
    candidate = Candidate(text, match.start, match.end, match.number, region)

    assert reason_to_reject(candidate) == reason


@pytest.mark.parametrize(
    ("text", "written", "e164"),
    [
        (
            "call five five five, one two three, four five six seven!",
            "five five five, one two three, four five six seven",
            "+15551234567",
        ),
        ("call 555 one two three 4567 now", "555 one two three 4567", "+15551234567"),
        ("Five-Five-Five One-Two-Three 4567", "Five-Five-Five One-Two-Three 4567", "+15551234567"),
        ("5 5 5 - 1 2 3 - 4 5 6 7", "5 5 5 - 1 2 3 - 4 5 6 7", "+15551234567"),
        ("call 8OO-555-O199 now", "8OO-555-O199", "+18005550199"),
        ("call (8OO) 555-0199", "(8OO) 555-0199", "+18005550199"),
        ("five five five 1O2 3O45", "five five five 1O2 3O45", "+15551023045"),
        ("call5551234567now", "5551234567", "+15551234567"),
        ("call 555.123.4567", "555.123.4567", "+15551234567"),
        ("５５５－１２３－４５６７", "５５５－１２３－４５６７", "+15551234567"),
        ("call 555\u200b123\u200b4567", "555\u200b123\u200b4567", "+15551234567"),
    ],
)
def test_obfuscated_numbers(text: str, written: str, e164: str) -> None:
    [phone] = find_phones(text, "US")

    assert (phone.written, phone.e164) == (written, e164)
    assert text[phone.start : phone.end] == written


@pytest.mark.parametrize("text", ["O2 shop", "Ooo nice", "2OO1 odyssey", "one two cats"])
def test_words_with_os_and_number_words_stay_words(text: str) -> None:
    assert phones(text) == []


def test_the_digit_view_maps_back_to_the_words() -> None:
    text = "ring five five five, one two three, four five six seven"
    view = digit_view(text)
    start = view.text.index("5")

    assert view.text == "ring 5 5 5  1 2 3  4 5 6 7"
    assert view.original_span(start, len(view.text)) == (5, len(text))
    assert view.original_span(start + 2, start + 3) == (text.index("five", 6), 14)


@pytest.mark.parametrize(
    ("shape", "raw", "expected"),
    [
        (phone_shapes.is_date, "2024-01-15", True),
        (phone_shapes.is_date, "15/01/2024", True),
        (phone_shapes.is_date, "2012-01-02 08", True),
        (phone_shapes.is_date, "01.23.45.67.89", False),
        (phone_shapes.is_date, "555-123-4567", False),
        (phone_shapes.is_version_ip_address_or_decimal, "10.0.19045", True),
        (phone_shapes.is_version_ip_address_or_decimal, "192.168.1.1", True),
        (phone_shapes.is_version_ip_address_or_decimal, "555.123.4567", False),
        (phone_shapes.is_version_ip_address_or_decimal, "06.12.34.56.78", False),
        (phone_shapes.is_count, "2.124.821.694", True),
        (phone_shapes.is_count, "1000000", True),
        (phone_shapes.is_count, "312 345 678", False),
        (phone_shapes.is_isbn, "978-3-16-148410-0", True),
        (phone_shapes.is_isbn, "978-3-16-148410-1", False),
        (phone_shapes.is_long_digit_string, "4829104829104", True),
        (phone_shapes.is_long_digit_string, "00442079460018", False),
    ],
)
def test_shapes(shape: Callable[[str], bool], raw: str, expected: bool) -> None:
    assert shape(raw) is expected


regions = st.sampled_from(["US", "GB", "DE", "NZ", "ZZ"])
phone_ish = st.lists(
    st.sampled_from([*"0123456789 -().+x#/,:$%Oo", "one", "five", "ext", "\u200b", "٣", "５"]),
    max_size=60,
).map("".join)


def _check_spans(text: str, found: list[FoundPhone]) -> None:
    end = 0
    for phone in found:
        assert end <= phone.start < phone.end <= len(text)
        assert text[phone.start : phone.end] == phone.written
        assert phone.e164.startswith("+")
        assert phone.e164[1:].isdigit()
        end = phone.end


@given(st.text(max_size=300), regions)
def test_never_raises_and_spans_are_the_written_numbers(text: str, region: str) -> None:
    _check_spans(text, list(find_phones(text, region)))


@given(phone_ish, regions)
def test_phone_like_noise_keeps_spans_in_order(text: str, region: str) -> None:
    _check_spans(text, list(find_phones(text, region)))


words = st.lists(
    st.sampled_from(["buy", "now", "cheap", "the", "best", "deal", "call", "text", "me", "!"]),
    max_size=8,
)
numbers = st.sampled_from(
    [
        ("555-123-4567", "+15551234567"),
        ("(212) 555-0100", "+12125550100"),
        ("+44 20 7946 0018", "+442079460018"),
        ("+1 415 666 7777", "+14156667777"),
        ("five five five one two three four five six seven", "+15551234567"),
    ]
)


@given(words, numbers, words)
def test_a_number_in_random_words_is_found(
    before: list[str], number: tuple[str, str], after: list[str]
) -> None:
    written, e164 = number
    text = " ".join([*before, written, *after])

    assert phones(text) == [(written, e164)]


MEGABYTE = 1_000_000
ADVERSARIAL: dict[str, Callable[[], str]] = {
    "digits": lambda: "7" * MEGABYTE,
    "digits and dashes": lambda: "1-" * (MEGABYTE // 2),
    "spaced digits": lambda: "1 " * (MEGABYTE // 2),
    "dotted digits": lambda: "1." * (MEGABYTE // 2),
    "brackets": lambda: "(" * MEGABYTE,
    "bracketed digits": lambda: "(1)" * (MEGABYTE // 3),
    "plus signs": lambda: "+1" * (MEGABYTE // 2),
    "extensions": lambda: "1x" * (MEGABYTE // 2),
    "number words": lambda: "one " * (MEGABYTE // 4),
    "spelled numbers": lambda: "five five five one two three four five six seven zz " * 19_000,
    "letter-O numbers": lambda: "8OO " * (MEGABYTE // 4),
    "phone list": lambda: "555-123-4567 " * (MEGABYTE // 13),
    "arabic-indic digits": lambda: "١٢٣٤٥٦٧٨٩٠ - " * (MEGABYTE // 13),
}


@pytest.mark.parametrize("name", ADVERSARIAL)
def test_adversarial_megabytes_complete(name: str, capfd: pytest.CaptureFixture[str]) -> None:
    text = ADVERSARIAL[name]()

    found = list(find_phones(text, "US"))

    _check_spans(text, found)
    assert "DFA out of memory" not in capfd.readouterr().err
