"""Peer suites isemail and python-email-validator, read the way an extractor reads them.

Each case's input is a whole text given to `find_emails`:
- *extracted*: it yields exactly one address, the expected one in canonical form (local
  part as written, '@', domain lower-case in Unicode; local parts compared after NFC, as
  the product's text is NFKC-normalised before extraction);
- *claimed*: it yields an address spanning the whole input, or one glued to the rest of it.
  An address that whitespace, a list separator (',' ';', as in RFC 5322 address lists) or
  final sentence punctuation sets apart is another word of the text, not a reading of the
  input: "hello world@iana.org", "test@iana.org\\n" and "test@iana.org." yield an address
  and claim nothing, while no sub-address is ever carved out of "test@test@iana.org",
  ".test@iana.org" or "(comment)test@iana.org".

Valid cases must be extracted and invalid ones never claimed, except where a named agreed
difference (`AGREED`) covers the case: those are deliberate, and each says why.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

import pytest

from spamward.text.domains import parse_host, to_unicode
from spamward.text.emails import FoundEmail, find_emails
from tests.conftest import ScoreRecorder, corpus_file

Case = dict[str, Any]
_SEPARATORS = ",;"
_SENTENCE_END = ".,;:!?"
_POLICY_CATEGORIES = ("ISEMAIL_RFC5321", "ISEMAIL_CFWS", "ISEMAIL_DEPREC", "ISEMAIL_RFC5322")


@cache
def _cases(name: str) -> tuple[Case, ...]:
    lines = corpus_file("email_address_tests", name).read_text(encoding="utf-8").split("\n")
    return tuple(json.loads(line) for line in lines if line.strip())


def _found(text: str) -> list[FoundEmail]:
    return list(find_emails(text))


def _canonical(local: str, domain: str) -> str:
    return unicodedata.normalize("NFC", f"{local}@{to_unicode(domain.lower())}")


def _extracted(text: str, expected: str) -> bool:
    values = [unicodedata.normalize("NFC", found.value) for found in _found(text)]
    return values == [expected]


def _set_apart(text: str, found: FoundEmail) -> bool:
    before = text[found.start - 1] if found.start else " "
    rest = text[found.end :].lstrip(_SENTENCE_END)
    after = text[found.end] if found.end < len(text) else " "
    left = before.isspace() or before in _SEPARATORS
    right = after.isspace() or after in _SEPARATORS or not rest or rest[0].isspace()
    return left and right


def _claimed(text: str) -> bool:
    return any(
        (found.start, found.end) == (0, len(text)) or not _set_apart(text, found)
        for found in _found(text)
    )


# ---- agreed differences ----------------------------------------------------------------


def _addr_spec(address: str) -> str:
    """The address proper: the part in angle brackets of `Name <addr>`."""
    opening = address.rfind("<")
    closing = address.find(">", opening)
    return address[opening + 1 : closing] if 0 <= opening < closing else address


def _domain(address: str) -> str:
    return _addr_spec(address).rpartition("@")[2]


def _local(address: str) -> str:
    return _addr_spec(address).rpartition("@")[0]


@dataclass(frozen=True)
class Agreed:
    """A deliberate difference: where `applies`, the case passes when `behaves`."""

    name: str
    reason: str
    applies: Callable[[str], bool]
    behaves: Callable[[str], bool]


def _angle_brackets_read(address: str) -> bool:
    local, _, domain = _addr_spec(address).rpartition("@")
    return _extracted(address, _canonical(local, domain))


# The first rule that applies and holds is the reason given: the specific ones come first.
AGREED = (
    Agreed(
        "quoted local part",
        'RFC 5321 quoted strings ("de-quoted"@…) are not extracted: posts do not carry '
        "them, and quotes around words are text (email-validator too needs "
        "allow_quoted_local for most of them)",
        lambda address: '"@' in _addr_spec(address),
        lambda address: not _claimed(address),
    ),
    Agreed(
        "IP literal",
        "an address literal (me@[IPv6:::1]) has no host to key on (email-validator needs "
        "allow_domain_literal)",
        lambda address: "@[" in address,
        lambda address: not _claimed(address),
    ),
    Agreed(
        "local part over 64 octets",
        "RFC 5321 §4.5.3.1.1 limits a local part to 64 octets; email-validator's strict=True "
        "agrees",
        lambda address: len(_local(address).encode("utf-8", "surrogatepass")) > 64,
        lambda address: not _claimed(address),
    ),
    Agreed(
        "empty local part",
        "'@test' has no mailbox (email-validator needs allow_empty_local)",
        lambda address: _addr_spec(address).startswith("@"),
        lambda address: not _claimed(address),
    ),
    Agreed(
        "fullwidth at-sign in the local part",
        "'＠' is an obfuscated '@' to us (NFKC folds it), never a local-part character",
        lambda address: "＠" in _local(address),
        lambda address: not _claimed(address),
    ),
    Agreed(
        "angle brackets",
        "`Name <addr>` and `<addr>` are how text quotes an address: we extract the address "
        "inside, as email-validator does with allow_display_name=True; text after '>' is "
        "other text",
        lambda address: "<" in address and ">" in address,
        _angle_brackets_read,
    ),
    Agreed(
        "no public suffix",
        "the domain has no real public suffix (example.tld, mycompany.test, iana.a, b.c, "
        "郵件.商務): extraction keys entities on registrable domains and never reports a host "
        "that cannot exist; isemail's DNSWARN says as much, and email-validator's own "
        "deliverability check would refuse them",
        lambda address: parse_host(_domain(address)) is None,
        lambda address: not _claimed(address),
    ),
)


def _verdict(address: str, expected: str | None) -> str:
    """'pass', 'agreed: <rule>' or 'fail'; `expected` is None for an invalid address."""
    if _extracted(address, expected) if expected is not None else not _claimed(address):
        return "pass"
    rules = (rule for rule in AGREED if rule.applies(address) and rule.behaves(address))
    rule = next(rules, None)
    return "fail" if rule is None else f"agreed: {rule.name}"


# ---- isemail ---------------------------------------------------------------------------


def _isemail(*categories: str) -> list[Case]:
    return [case for case in _cases("isemail_cases.jsonl") if case["category"] in categories]


def _isemail_expected(case: Case) -> str:
    local, _, domain = case["address"].rpartition("@")
    return _canonical(local, domain)


def _record(
    suite_score: ScoreRecorder, suite: str, cases: list[Case], passes: Callable[[Case], bool]
) -> None:
    failed = [case["address"] for case in cases if not passes(case)]
    score = suite_score(suite, len(cases) - len(failed), len(cases), 1.0)
    assert cases, f"{suite}: no cases"
    assert score.share >= score.target, f"{suite}: {failed}"


def test_isemail_valid_is_extracted_verbatim(suite_score: ScoreRecorder) -> None:
    """The issue's must-show: every VALID address, with no agreed difference at all."""
    cases = _isemail("ISEMAIL_VALID_CATEGORY")
    _record(
        suite_score,
        "isemail VALID extracted",
        cases,
        lambda case: _extracted(case["address"], _isemail_expected(case)),
    )


def test_isemail_valid_and_dnswarn_are_extracted(suite_score: ScoreRecorder) -> None:
    cases = _isemail("ISEMAIL_VALID_CATEGORY", "ISEMAIL_DNSWARN")
    _record(
        suite_score,
        "isemail VALID+DNSWARN extracted",
        cases,
        lambda case: _verdict(case["address"], _isemail_expected(case)) != "fail",
    )


def test_isemail_errors_are_never_extracted(suite_score: ScoreRecorder) -> None:
    """The issue's must-show: no ERR input is ever claimed, with no agreed difference."""
    cases = _isemail("ISEMAIL_ERR")
    _record(
        suite_score,
        "isemail ERR never extracted",
        cases,
        lambda case: not _claimed(case["address"]),
    )


@pytest.mark.parametrize("category", _POLICY_CATEGORIES)
def test_isemail_policy_categories_are_not_extracted(
    suite_score: ScoreRecorder, category: str
) -> None:
    """Policy (email_rules): quoted strings, literals, bare TLDs without mail, comments,
    obsolete syntax and over-long parts are not extracted. Whitespace is text, so the
    ordinary address inside " test@iana.org " is extracted, as a word of its own."""
    name = category.removeprefix("ISEMAIL_")
    _record(
        suite_score,
        f"isemail {name} not extracted (policy)",
        _isemail(category),
        lambda case: not _claimed(case["address"]),
    )


# ---- email-validator -------------------------------------------------------------------


def _email_validator(valid: bool) -> list[Case]:
    cases = _cases("email_validator_cases.jsonl")
    return [case for case in cases if case["checks"][0]["valid"] is valid]


def _email_validator_expected(case: Case) -> str:
    expected = case["checks"][0].get("expected") or {}
    if "local_part" in expected and "domain" in expected:
        return _canonical(expected["local_part"], expected["domain"])
    local, _, domain = _addr_spec(case["address"]).rpartition("@")
    return _canonical(local, domain)


def test_email_validator_valid_addresses_are_extracted(suite_score: ScoreRecorder) -> None:
    _record(
        suite_score,
        "email-validator valid extracted",
        _email_validator(True),
        lambda case: _verdict(case["address"], _email_validator_expected(case)) != "fail",
    )


def test_email_validator_invalid_addresses_are_not_extracted(
    suite_score: ScoreRecorder,
) -> None:
    _record(
        suite_score,
        "email-validator invalid not extracted",
        _email_validator(False),
        lambda case: _verdict(case["address"], None) != "fail",
    )


def _all_verdicts() -> list[tuple[str, str]]:
    isemail = [
        (case["address"], _verdict(case["address"], _isemail_expected(case)))
        for case in _isemail("ISEMAIL_VALID_CATEGORY", "ISEMAIL_DNSWARN")
    ]
    valid = [
        (case["address"], _verdict(case["address"], _email_validator_expected(case)))
        for case in _email_validator(True)
    ]
    invalid = [
        (case["address"], _verdict(case["address"], None)) for case in _email_validator(False)
    ]
    return isemail + valid + invalid


def test_every_agreed_difference_is_needed() -> None:
    """A rule that no case needs would only hide a future regression."""
    used = {verdict.removeprefix("agreed: ") for _, verdict in _all_verdicts()}
    assert {rule.name for rule in AGREED} <= used
