"""The Rspamd peer comparison's pieces: emails, the NXDOMAIN resolver, the configuration,
and (where rspamd is installed, and always under CI) one real scan."""

from __future__ import annotations

import socket
from datetime import UTC, datetime
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from pathlib import Path

import pytest
from bench.corpus import Corpus
from bench.httpload import HttpResults
from bench.rspamd import CACHE, run_rspamd
from bench.rspamd_config import DISABLED_MODULES, Layout, config_files
from bench.rspamd_dns import nxdomain_resolver
from bench.rspamd_email import SEPARATOR, subject_line, wrap_as_email, write_emails
from bench.rspamd_process import is_installed, running_rspamd
from bench.rspamd_report import render_rspamd

from tests.conftest import EXAMPLE_POST, IN_CI

SENT_AT = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
NETWORK_MODULES = {
    *("rbl", "surbl", "emails", "asn", "hfilter", "dkim", "spf", "dmarc", "arc"),
    *("fuzzy_check", "phishing", "url_redirector", "multimap", "neural", "history_redis"),
    *("ratelimit", "greylist", "replies", "reputation"),
}
SHIPPED_MODULES = Path("/etc/rspamd/modules.d")
needs_rspamd = pytest.mark.skipif(
    not is_installed() and not IN_CI, reason="rspamd is not installed (`make system`)"
)


def _parsed(raw: bytes) -> EmailMessage:
    message = message_from_bytes(raw, policy=default)
    assert isinstance(message, EmailMessage)
    return message


def test_a_post_becomes_a_minimal_text_email() -> None:
    raw = wrap_as_email("First line\nsecond line https://spam.example/x", 7, SENT_AT)
    message = _parsed(raw)
    assert message["From"] == "user-007@posters.example.com"
    assert message["To"] == "moderation@site.example.org"
    assert message["Subject"] == "First line second line https://spam.example/x"
    assert message["Date"] == "Sun, 01 Mar 2026 12:00:07 +0000"
    assert message["Message-ID"] == "<post-7@posters.example.com>"
    assert message.get_content_type() == "text/plain"
    assert message.get_content() == "First line\r\nsecond line https://spam.example/x\r\n"
    assert b"\n" not in raw.replace(b"\r\n", b""), "every line ends with CRLF"


def test_line_breaks_in_a_post_cannot_write_headers() -> None:
    post = "Hello\r\nBcc: victim@example.com\rX-Spam: no\nthere"
    raw = wrap_as_email(post, 1, SENT_AT)
    headers = raw.split(b"\r\n\r\n", 1)[0].split(b"\r\n")
    assert [line for line in headers if line.startswith((b"Bcc", b"X-Spam"))] == []
    message = _parsed(raw)
    assert message["Subject"] == "Hello Bcc: victim@example.com X-Spam: no there"
    assert message["Bcc"] is None


def test_long_and_unicode_subjects_are_cut_on_a_word_and_encoded() -> None:
    subject = subject_line("Günstig " * 20)
    assert subject == ("Günstig " * 7).strip() + "..."
    raw = wrap_as_email("Günstig " * 20, 0, SENT_AT)
    assert _parsed(raw)["Subject"] == subject
    head, body = raw.split(b"\r\n\r\n", 1)
    assert b"G\xc3\xbcnstig" not in head, "the subject is encoded"
    assert body.startswith(b"G\xc3\xbcnstig"), "the body goes as it is, in 8bit"


def test_lines_too_long_for_8bit_are_encoded() -> None:
    raw = wrap_as_email("x" * 1200, 0, SENT_AT)
    assert max(map(len, raw.split(b"\r\n"))) <= 998
    assert _parsed(raw).get_content().strip() == "x" * 1200


def test_emails_are_written_separated_by_nul(tmp_path: Path) -> None:
    emails = [wrap_as_email(text, index, SENT_AT) for index, text in enumerate(["a", "b"])]
    path = write_emails(emails, tmp_path / "emails")
    assert path.read_bytes().split(SEPARATOR) == emails


def _query(query_id: int, name: str) -> bytes:
    header = query_id.to_bytes(2, "big") + bytes([0x01, 0x00]) + (1).to_bytes(2, "big")
    labels = b"".join(bytes([len(part)]) + part.encode() for part in name.split("."))
    return header + bytes(6) + labels + b"\0" + (1).to_bytes(2, "big") + (1).to_bytes(2, "big")


def test_the_resolver_answers_nxdomain_with_the_query_id() -> None:
    query = _query(0xBEEF, "maps.rspamd.com")
    with nxdomain_resolver() as resolver, socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        udp.settimeout(5)
        udp.sendto(b"\x12\x34junk", ("127.0.0.1", resolver.port))  # not a query: no answer
        udp.sendto(query, ("127.0.0.1", resolver.port))
        answer = udp.recv(512)
        names = dict(resolver.names)
    assert answer[:2] == b"\xbe\xef"
    assert answer[2] & 0x80, "QR: a response"
    assert answer[2] & 0x01, "RD echoed"
    assert answer[3] & 0x0F == 3, "RCODE NXDOMAIN"
    assert answer[4:12] == bytes([0, 1, 0, 0, 0, 0, 0, 0]), "the question and no records"
    assert answer[12:] == query[12:]
    assert names == {"maps.rspamd.com": 1}


def test_the_config_turns_network_modules_off_and_listens_on_loopback() -> None:
    files = config_files(port=21333, dns_port=5353, cache=Path("/cache"))
    assert set(DISABLED_MODULES) >= NETWORK_MODULES
    for name in NETWORK_MODULES:
        assert files[f"override.d/{name}.conf"].strip() == "enabled = false;"
    top_level = files["rspamd.conf"]
    assert 'bind_socket = "127.0.0.1:21333";' in top_level
    assert "count = 2;" in top_level
    assert top_level.count("worker ") == 1, "no controller, proxy or fuzzy worker"
    assert 'nameserver = ["127.0.0.1:5353"];' in files["override.d/options.inc"]
    assert "https://" not in "".join(files.values())


def test_without_rspamd_the_comparison_is_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    corpus = Corpus(posts=("a post",), deny_domains=(), source_texts=1)
    figures = run_rspamd(corpus, lambda step: None, HttpResults("wrk", [], 0.0))
    assert figures.runs == []
    assert "skipped: rspamd not installed" in render_rspamd(figures)


@needs_rspamd
def test_rspamds_shipped_modules_read_the_overrides() -> None:
    for name in DISABLED_MODULES:
        shipped = (SHIPPED_MODULES / f"{name}.conf").read_text(encoding="utf-8")
        assert f'"$LOCAL_CONFDIR/override.d/{name}.conf"' in shipped, name


@needs_rspamd
def test_rspamd_scans_a_post_without_asking_dns(tmp_path: Path) -> None:
    with nxdomain_resolver() as resolver:
        with running_rspamd(Layout(tmp_path, CACHE), resolver.port) as rspamd:
            result = rspamd.scan(wrap_as_email(EXAMPLE_POST, 0, SENT_AT))
        names = dict(resolver.names)
    assert result["action"] in {"no action", "add header", "rewrite subject", "reject"}
    assert isinstance(result["score"], int | float)
    assert "MIME_GOOD" in result["symbols"]
    assert names == {}
