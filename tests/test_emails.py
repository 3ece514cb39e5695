"""E-mail extraction: the forms posts use, canonical values, refusals, properties, adversaries."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spamward.domain.entity import EntityKind
from spamward.text.emails import find_emails
from spamward.text.extract import extract
from spamward.text.normalise import normalise


def values(text: str) -> list[str]:
    return [found.value for found in find_emails(text)]


def spans(text: str) -> list[str]:
    return [text[found.start : found.end] for found in find_emails(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mail John.Doe@Example.COM today", ["John.Doe@example.com"]),
        ("sales@Shop.Example.co.uk, bob@x.org; ann@y.net.",
         ["sales@shop.example.co.uk", "bob@x.org", "ann@y.net"]),
        ("user+tag@gmail.com and o'brien@example.ie", ["user+tag@gmail.com", "o'brien@example.ie"]),
        ("IDN: ιωάννης@ΕΕΤΤ.gr and jeff葉@臺網中心.tw", ["ιωάννης@εεττ.gr", "jeff葉@臺網中心.tw"]),
        ("punycode: bob@xn--qxaa9ba.gr", ["bob@εεττ.gr"]),
        ("a mailbox at a TLD with mail: test@io", ["test@io"]),
        ("email me at john.doe@gmail.com", ["john.doe@gmail.com"]),
        ("prose at its dot best.offer@example.org", ["best.offer@example.org"]),
        ("a@x.com,b@y.com\u00a0c@z.com、d@w.com", ["a@x.com", "b@y.com", "c@z.com", "d@w.com"]),
    ],
)  # fmt: skip
def test_plain_addresses_have_a_lower_case_unicode_domain(text: str, expected: list[str]) -> None:
    assert values(text) == expected


def test_the_host_is_keyed_in_punycode() -> None:
    [found] = find_emails("write to ιωάννης@εεττ.gr")
    assert (found.host.key, found.host.display) == ("xn--qxaa9ba.gr", "εεττ.gr")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mail: john [at] gmail [dot] com", "john@gmail.com"),
        ("john_doe[at]gmail[dot]com", "john_doe@gmail.com"),
        ("john(at)example(dot)com", "john@example.com"),
        ("JOHN [AT] EXAMPLE [DOT] CO [DOT] UK", "JOHN@example.co.uk"),
        ("john {at} example {dot} com", "john@example.com"),
        ("john [@] example [.] com", "john@example.com"),
        ("john (at) example.com", "john@example.com"),
        ("john@example[.]com", "john@example.com"),
        ("john@example(.)com", "john@example.com"),
        ("john@gmail dot com", "john@gmail.com"),
        ("write john at gmail dot com", "john@gmail.com"),
        ("write john.smith at example dot org", "john.smith@example.org"),
        ("write jane99 at example dot org", "jane99@example.org"),
        ("write sales at cheap-pills dot com", "sales@cheap-pills.com"),
        ("prose at its dot best.offer [at] example [dot] org", "best.offer@example.org"),
    ],
)
def test_obfuscated_addresses(text: str, expected: str) -> None:
    assert values(text) == [expected]


def test_fullwidth_addresses_are_folded_upstream() -> None:
    text = "ｊｏｈｎ＠ｅｘａｍｐｌｅ．ｃｏｍ"
    assert values(normalise(text).text) == ["john@example.com"]
    assert [e.display for e in extract(text, "US")] == ["john@example.com"]


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("mailto:bob@example.com?subject=hi", "bob@example.com"),
        ("Bob Smith <bob@example.com>", "bob@example.com"),
        ("<p>bob@example.com</p>", "bob@example.com"),
        ('<a href="mailto:bob@example.com">', "bob@example.com"),
        ("**bob@example.com**", "bob@example.com"),
        ("_bob@example.com_ and `bob@example.com`", "bob@example.com"),
        ("say 'bob@example.com'", "bob@example.com"),
        ('say "bob@example.com"', "bob@example.com"),
        ("(bob@example.com)", "bob@example.com"),
        ("📧bob@example.com", "bob@example.com"),
        ("line\nbob@example.com\n", "bob@example.com"),
        ("ask bob@example.com?", "bob@example.com"),
    ],
)
def test_the_span_is_the_address_without_its_surroundings(text: str, written: str) -> None:
    assert set(spans(text)) == {written}


def test_markdown_links_give_both_occurrences() -> None:
    text = "[bob@example.com](mailto:bob@example.com)"
    assert spans(text) == ["bob@example.com", "bob@example.com"]


def test_an_address_inside_a_url_query_starts_after_the_delimiter() -> None:
    assert values("www.example.com/unsubscribe?email=bob@gmail.com") == ["bob@gmail.com"]


@pytest.mark.parametrize(
    "text",
    [
        "thanks @username, see @other.person",
        "email me at home",
        "meet me at home dot com",
        "look at example.com, buy it at amazon dot com",
        "a@b",
        "foo@bar.invalidtld",
        "lodash@4.17.21 and python@3.11 and v1.2.3@beta",
        "user@localhost, me@work, follow@me",
        "me@example.test, me@anything.arpa, me@x.onion",
        "a@b@example.com",
        ".bob@example.com bob.@example.com bob..x@example.com bob@example..com",
        "bob@-example.com bob@example-.com",
        '"bob"@example.com and "bob@example.com',
        "bob@[127.0.0.1] and bob@127.0.0.1",
        "https://user@example.com/ and //user@example.com",
        "(comment)bob@example.com and bob@example.com(comment)",
        "back\\slash@example.com",
        "<bob@example.com and bob@example.com>",
        "bob@example.com\u200b",
        "me@xn--ls8h.la, me@yy--0.com, me@xn--example.com",
        "x" * 65 + "@example.com",
    ],
)
def test_what_is_not_an_address_is_not_extracted(text: str) -> None:
    assert values(text) == []


def test_emails_are_not_also_urls() -> None:
    entities = extract("Mail Sales@Shop.Example.COM or john(at)example.com", "US")

    assert [(e.kind, e.display) for e in entities] == [
        (EntityKind.EMAIL, "Sales@shop.example.com"),
        (EntityKind.EMAIL, "john@example.com"),
    ]


# ---- properties --------------------------------------------------------------------------

_PIECES = [
    *"ab.-_+@ []()<>\"'*\\:,\n\u200b\ud800",
    "x1",
    "at",
    "dot",
    "com",
    "co.uk",
    "example",
    "ιω",
]
addressy = st.lists(st.sampled_from(_PIECES), max_size=40).map("".join)
any_text = st.text(st.characters(exclude_categories=()), max_size=200)


@given(st.one_of(addressy, any_text))
def test_finding_never_raises_and_spans_are_inside(text: str) -> None:
    for found in find_emails(text):
        assert 0 <= found.start < found.end <= len(text)
        local, _, domain = found.value.rpartition("@")
        assert local and domain == found.host.display
        assert domain == domain.lower()


@given(addressy)
def test_a_plain_address_is_written_at_its_span(text: str) -> None:
    for found in find_emails(text):
        written = text[found.start : found.end]
        if "@" in written:
            local = found.value.rpartition("@")[0]
            assert written.startswith(f"{local}@")


# No "dot": "( dot ) buy" after an address legitimately extends it to the .buy domain.
words = st.lists(st.sampled_from(["buy", "now", "at", "@", "mail", "!", "(", ")", ":"]))
addresses = st.sampled_from(
    ["spam.offer@example.org", "spam.offer [at] example [dot] org", "spam.offer(at)example.org"]
)


@given(words, addresses, words)
def test_an_address_in_random_words_is_found(
    before: list[str], address: str, after: list[str]
) -> None:
    text = " ".join([*before, address, *after])
    assert "spam.offer@example.org" in values(text)


# ---- adversarial inputs ------------------------------------------------------------------

MB = 1_000_000
ADVERSARIAL = {
    "at-signs": "@" * MB,
    "a@a@a@": "a@" * (MB // 2),
    "a.a.a…@": "a." * (MB // 2) + "@example.com",
    "[at][at]": "[at]" * (MB // 4),
    "a [at] a [at]": "a [at] " * (MB // 7),
    "a [at] b [dot] c [dot] …": "a [at] b" + " [dot] c" * (MB // 8),
    "x at y dot x at y dot": "x at y dot " * (MB // 11),
    "a-a-a…@": "a-" * (MB // 2) + "@",
    "bob@x.x.x…": "bob@x" + ".x" * (MB // 2),
    "quotes and brackets": '"<(a@' * (MB // 5),
    # every script and symbol of the BMP below U+A000, an at-sign every 300 characters
    "mixed Unicode": "".join(
        chr(0x20 + (i * 7919) % 0x9F00) + ("@" if i % 300 == 0 else "") for i in range(MB)
    ),
}


@pytest.mark.parametrize("text", ADVERSARIAL.values(), ids=ADVERSARIAL.keys())
def test_adversarial_megabytes_complete(text: str, capfd: pytest.CaptureFixture[str]) -> None:
    assert values(text) == []  # completing is the point; durations belong to the bench
    assert "DFA out of memory" not in capfd.readouterr().err
