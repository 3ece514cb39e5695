"""Link finding: what spammers write, and where each link starts and ends."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spamward.domain.entity import EntityKind
from spamward.text.extract import find_occurrences
from tests.suites import links, written


def found(text: str) -> list[tuple[str, str]]:
    """(URL as shown, URL as written) for each link in `text`."""
    return [
        (o.entity.display, written(text, o))
        for o in find_occurrences(text, "US")
        if o.entity.kind is EntityKind.URL
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Visithttps://bit.ly/3iXhvjG now", [("bit.ly/3iXhvjG", "https://bit.ly/3iXhvjG")]),
        ("go hxxps://evil[.]net/y", [("evil.net/y", "hxxps://evil[.]net/y")]),
        ("see example[.]com/x", [("example.com/x", "example[.]com/x")]),
        ("see example(.)com", [("example.com", "example(.)com")]),
        ("see example [dot] com", [("example.com", "example [dot] com")]),
        ("visit cheap-pills dot com now", [("cheap-pills.com", "cheap-pills dot com")]),
        ("go to b i t . l y / a b c now", [("bit.ly/abc", "b i t . l y / a b c")]),
        ("ｗｗｗ．ｅｘａｍｐｌｅ．ｃｏｍ", [("www.example.com", "ｗｗｗ．ｅｘａｍｐｌｅ．ｃｏｍ")]),
        ("[click](https://spam.example/x)", [("spam.example/x", "https://spam.example/x")]),
        ('<a href="https://www.example.com/">x</a>', [("www.example.com", "https://www.example.com/")]),
        ("(see http://example.com/a_(b))!", [("example.com/a_(b)", "http://example.com/a_(b)")]),
        ("end http://example.com/path.", [("example.com/path", "http://example.com/path")]),
        ("http://Shop.Example.COM:443/A?b=C", [("shop.example.com/A?b=C", "http://Shop.Example.COM:443/A?b=C")]),
        ("http://203.0.113.9:8080/x", [("203.0.113.9:8080/x", "http://203.0.113.9:8080/x")]),
    ],
)  # fmt: skip
def test_links_as_spammers_write_them(text: str, expected: list[tuple[str, str]]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "the dot com era",
        "a dot com",
        "version 2.0.1 of file.txt",
        "e.g. this, i.e. that",
        "example.invalid and example.coma",
        "_example.com and path:to:file.pm",
        "I a m . O K",
        "http:// and http://. and //test",
    ],
)
def test_prose_is_not_a_link(text: str) -> None:
    assert links(text, (EntityKind.URL, EntityKind.EMAIL, EntityKind.DOMAIN)) == []


def test_an_address_inside_a_link_is_not_an_email() -> None:
    kinds = [o.entity.kind for o in find_occurrences("http://user:pw@example.com/x", "US")]
    assert EntityKind.EMAIL not in kinds


def test_the_domain_of_an_address_is_not_a_link() -> None:
    kinds = {o.entity.kind for o in find_occurrences("write to sales@example.com", "US")}
    assert kinds == {EntityKind.EMAIL}


def test_idn_is_keyed_by_punycode_and_shown_in_unicode() -> None:
    (domain, url) = [o.entity for o in find_occurrences("visit http://bücher.de/x", "US")]
    assert (domain.value, domain.display) == ("xn--bcher-kva.de", "bücher.de")
    assert (url.value, url.display) == ("xn--bcher-kva.de/x", "bücher.de/x")


def test_every_link_in_markdown_pairs_is_found() -> None:
    text = "xx[http://a.example.com/1](http://b.example.com/2)yy"
    assert [shown for shown, _ in found(text)] == ["a.example.com/1", "b.example.com/2"]


hosts = st.sampled_from(["example.com", "spam.example.org", "bit.ly", "shop.co.uk", "a.io"])
paths = st.sampled_from(["", "/x", "/a/b?c=d", "/deal-2024"])
schemes = st.sampled_from(["", "http://", "https://", "www."])
words = st.lists(
    st.sampled_from(["buy", "now", "cheap!", "the", "(see", "it)", "—", "😀"]), max_size=6
)


@given(words, schemes, hosts, paths, words)
def test_a_link_in_random_words_is_found_where_it_is(
    before: list[str], scheme: str, host: str, path: str, after: list[str]
) -> None:
    link = f"{scheme}{host}{path}"
    text = " ".join([*before, link, *after])

    urls = [o for o in find_occurrences(text, "US") if o.entity.kind is EntityKind.URL]

    assert len(urls) == 1
    assert written(text, urls[0]) == link
    assert urls[0].entity.display.endswith(f"{host}{path}".removeprefix("www."))


@given(st.text(max_size=400))
def test_occurrences_lie_inside_the_text(text: str) -> None:
    for occurrence in find_occurrences(text, "US"):
        assert 0 <= occurrence.start < occurrence.end <= len(text)
