"""What makes a local part and a domain an address we extract (RFC 5321 limits, real suffixes).

Deliberate policy, so that extraction never reports what cannot receive mail:
- the domain needs a real public suffix and a registrable part; special-use and reserved
  names (RFC 6761, 7686, 9476: .arpa, .onion, .test, .alt, …) are refused;
- a bare top-level domain counts only where its registry has published mail exchangers at
  the apex (`user@io`); every other dotless host is a local alias (RFC 5321 §2.3.5);
- RFC 5321 sizes: local part ≤ 64 octets, domain ≤ 253, the whole address ≤ 254;
- no quoted local parts, comments or IP literals: mail in posts does not use them.
"""

from __future__ import annotations

import unicodedata

from spamward.text.domains import Host, parse_host

MAX_LOCAL_OCTETS = 64
MAX_DOMAIN_OCTETS = 253
MAX_ADDRESS_OCTETS = 254

# TLDs with mail exchangers at their apex: io (in 2011, as isemail's test data notes) and
# those in the surveys that followed ICANN SSAC's SAC053 (ai, ws; cf, gp, gt: MX only).
_DOTLESS_MAIL_TLDS = frozenset({"ai", "cf", "gp", "gt", "io", "ws"})
_SPECIAL_USE_TLDS = frozenset(
    {"alt", "arpa", "example", "internal", "invalid", "local", "localhost", "onion", "test"}
)
# "name at domain dot com" in prose is ambiguous ("meet me at home dot com"). A plain word
# is read as a mailbox only at these mail providers, or when it is a role mailbox (RFC 2142
# names and the usual info, contact, …); a handle ("john.doe", "jane99") is read anywhere.
_MAIL_PROVIDERS = frozenset(
    "gmail.com googlemail.com yahoo.com ymail.com hotmail.com outlook.com live.com msn.com "
    "aol.com icloud.com protonmail.com proton.me gmx.com gmx.de gmx.net web.de mail.ru "
    "yandex.ru yandex.com zoho.com qq.com 163.com 126.com rediffmail.com".split()
)
_ROLE_MAILBOXES = frozenset(
    "abuse admin billing contact enquiries help hostmaster info marketing noc office "
    "postmaster sales security support webmaster".split()
)
_HANDLE_SEPARATORS = frozenset("._+-")


def is_dot_atom(local: str) -> bool:
    return bool(local) and local[0] != "." and local[-1] != "." and ".." not in local


def mail_host(labels: list[str]) -> Host | None:
    """The host a domain written as `labels` names, when it can receive mail."""
    if len(labels) == 1:
        tld = labels[0].lower()
        return Host(tld, tld, tld, tld) if tld in _DOTLESS_MAIL_TLDS else None
    host = parse_host(".".join(labels))
    if host is None or len(host.key) > MAX_DOMAIN_OCTETS:
        return None
    if host.key.rpartition(".")[2] in _SPECIAL_USE_TLDS or not _is_idna2008_shaped(host):
        return None
    return host


def _is_idna2008_shaped(host: Host) -> bool:
    """What IDNA 2008 adds to the IDNA 2003 codec behind parse_host: "ab--" is reserved for
    A-labels, an A-label must decode, and a label holds letters, marks and digits (no
    emoji: "xn--ls8h.la" is as much refused as "💩.la" written out)."""
    if any(label[2:4] == "--" and not label.startswith("xn--") for label in host.key.split(".")):
        return False
    if "xn--" in host.key and host.display == host.key:
        return False
    return all(char.isalnum() or char in ".-" or _is_mark(char) for char in host.display)


def _is_mark(char: str) -> bool:
    return unicodedata.category(char).startswith("M")


def within_sizes(local: str, host: Host) -> bool:
    octets = len(local.encode("utf-8", "surrogatepass"))
    return octets <= MAX_LOCAL_OCTETS and octets + 1 + len(host.key) <= MAX_ADDRESS_OCTETS


def reads_as_address(at: str, local: str, dots: list[str], host: Host) -> bool:
    """Whether "name at host dot com" (a bare "at") is an address rather than prose: it needs
    a spelled-out dot ("look at example.com" is prose) and a name that is not a plain word,
    unless the host is a mail provider or the name a role mailbox."""
    if at == "@" or at.strip().lower() != "at":
        return True
    if all(dot == "." for dot in dots):
        return False
    if host.registrable_key in _MAIL_PROVIDERS or local.lower() in _ROLE_MAILBOXES:
        return True
    mixes_letters_and_digits = any(c.isdigit() for c in local) and any(c.isalpha() for c in local)
    return mixes_letters_and_digits or not _HANDLE_SEPARATORS.isdisjoint(local[1:-1])
