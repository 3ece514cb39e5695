"""Extraction at the skeleton's level: URLs, registrable domains, e-mails, phones."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spamward.domain.entity import EntityKind, group_by_kind
from spamward.text.domains import registrable_domain
from spamward.text.extract import extract
from spamward.text.normalise import normalise
from tests.conftest import EXAMPLE_POST


def shown(text: str, region: str = "US") -> dict[str, list[str]]:
    grouped = group_by_kind(extract(text, region))
    return {kind.plural: [entity.display for entity in grouped[kind]] for kind in EntityKind}


def test_the_spam_manager_example() -> None:
    entities = extract(EXAMPLE_POST, "US")

    spam_strings = [e for e in entities if e.kind is not EntityKind.TEXT]
    assert [(e.kind, e.value, e.display) for e in spam_strings] == [
        (EntityKind.DOMAIN, "bit.ly", "bit.ly"),
        (EntityKind.URL, "bit.ly/3iXhvjG", "bit.ly/3iXhvjG"),
        (EntityKind.PHONE, "+15551234567", "555-123-4567"),
    ]
    (text,) = [e for e in entities if e.kind is EntityKind.TEXT]
    assert text.display.startswith("Earn bitcoin today")  # long enough to be duplicate text


def test_short_posts_have_no_duplicate_text_fingerprint() -> None:
    assert [e.kind for e in extract("call 555-123-4567", "US")] == [EntityKind.PHONE]
    assert EntityKind.TEXT not in {e.kind for e in extract(EXAMPLE_POST, "US", 500)}


@pytest.mark.parametrize(
    ("text", "domains", "urls"),
    [
        ("see www.example.co.uk/page.", ["example.co.uk"], ["www.example.co.uk/page"]),
        ("(visit https://Shop.Example.com:443/a?b=1)", ["example.com"], ["shop.example.com/a?b=1"]),
        ("[x](https://x.github.io/p) and foo.blogspot.com", ["x.github.io", "foo.blogspot.com"],
         ["x.github.io/p", "foo.blogspot.com"]),
        ("ｂｉｔ．ｌｙ／ａｂｃ fullwidth", ["bit.ly"], ["bit.ly/abc"]),
        ("zero\u200bwidth: bit\u200b.ly/x", ["bit.ly"], ["bit.ly/x"]),
        ("IDN: https://例え.jp/パス", ["例え.jp"], ["例え.jp/パス"]),
        ("http://203.0.113.7:8080/login", [], ["203.0.113.7:8080/login"]),
        ("version 1.2.3 and file.txt, not 1.2.3.400", [], []),
        ("server at 203.0.113.7 now", [], ["203.0.113.7"]),
        ("no.such.tldzz here, nor -bad-.com", [], []),
    ],
)  # fmt: skip
def test_urls_and_domains(text: str, domains: list[str], urls: list[str]) -> None:
    found = shown(text)
    assert found["domains"] == domains
    assert found["urls"] == urls


def test_urls_in_html_and_quotes_end_at_the_quote() -> None:
    found = shown('<a href="https://spam.example.net/x">click</a>')
    assert found["urls"] == ["spam.example.net/x"]


def test_emails_are_not_also_urls() -> None:
    found = shown("Mail John.Doe@Example.COM or sales@shop.example.org today")

    assert found["emails"] == ["John.Doe@example.com", "sales@shop.example.org"]
    assert found["urls"] == []
    assert found["domains"] == []


def test_shorteners_are_marked() -> None:
    entities = {e.display: e.is_shortener for e in extract("t.co/a and example.com", "US")}
    assert entities == {"t.co": True, "t.co/a": True, "example.com": False}


def test_digits_inside_urls_are_not_phones() -> None:
    assert shown("https://example.com/item/5551234567")["phones"] == []


@pytest.mark.parametrize(
    ("text", "region", "phone"),
    [
        ("call 555-123-4567", "US", "+15551234567"),
        ("call (212) 555-0100 now", "US", "+12125550100"),
        ("ring +44 20 7946 0018", "US", "+442079460018"),
        ("ring 020 7946 0018", "GB", "+442079460018"),
    ],
)
def test_phones_are_stored_in_e164(text: str, region: str, phone: str) -> None:
    assert [e.value for e in extract(text, region) if e.kind is EntityKind.PHONE] == [phone]


def test_registrable_domain_follows_the_public_suffix_list() -> None:
    assert registrable_domain("WwW.example.COM") == "example.com"
    assert registrable_domain("a.b.example.co.uk") == "example.co.uk"
    assert registrable_domain("com") is None
    assert registrable_domain(".com") is None
    assert registrable_domain("foo.github.io") == "foo.github.io"


def test_every_entity_appears_once() -> None:
    entities = extract("bit.ly/a bit.ly/a BIT.LY/a bit.ly/b", "US")
    assert [e.display for e in entities] == ["bit.ly", "bit.ly/a", "bit.ly/b"]


@given(st.text(max_size=300))
def test_extraction_never_raises(text: str) -> None:
    for entity in extract(text, "US"):
        assert entity.value
        assert entity.display


@given(st.text(max_size=200))
def test_normalisation_is_idempotent(text: str) -> None:
    once = normalise(text).text
    assert normalise(once).text == once


words = st.lists(st.sampled_from(["buy", "now", "cheap", "the", "a", "best", "!"]), max_size=8)


@given(words, words)
def test_a_domain_in_random_words_is_found(before: list[str], after: list[str]) -> None:
    text = " ".join([*before, "spam-shop.example.org/deal", *after])
    assert shown(text)["domains"] == ["example.org"]
