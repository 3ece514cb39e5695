"""The bench corpus's posts wrapped as minimal RFC 5322 emails, for Rspamd to scan."""

from __future__ import annotations

from datetime import datetime, timedelta
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from pathlib import Path

from bench.corpus import Corpus

SENDER_DOMAIN = "posters.example.com"
RECIPIENT = "moderation@site.example.org"
SUBJECT_LENGTH = 60
MAX_LINE_BYTES = 998  # RFC 5322's limit, past which a body must be encoded
SEPARATOR = b"\0"  # between the emails of a file: no email contains a NUL byte


def wrap_as_email(text: str, index: int, sent_at: datetime) -> bytes:
    """Post `index` as a text/plain email from the same one of a hundred users as the
    HTTP bench's event `index`, its subject the post's first words."""
    message = EmailMessage(policy=SMTP)
    message["From"] = f"user-{index % 100:03d}@{SENDER_DOMAIN}"
    message["To"] = RECIPIENT
    message["Subject"] = subject_line(text)
    message["Date"] = format_datetime(sent_at + timedelta(seconds=index))
    message["Message-ID"] = f"<post-{index}@{SENDER_DOMAIN}>"
    message.set_content(text, cte=_transfer_encoding(text))
    return message.as_bytes()


def subject_line(text: str) -> str:
    """The first words of `text` on one line: CR, LF and every other whitespace run become
    one space, so a post cannot end the header and write its own."""
    words = " ".join(text.split())
    if len(words) <= SUBJECT_LENGTH:
        return words
    return words[:SUBJECT_LENGTH].rsplit(" ", 1)[0] + "..."


def _transfer_encoding(text: str) -> str | None:
    """8bit, the post as it is, where its lines allow; else what the email package picks."""
    longest = max((len(line.encode()) for line in text.splitlines()), default=0)
    return "8bit" if longest <= MAX_LINE_BYTES else None


def corpus_emails(corpus: Corpus, sent_at: datetime) -> list[bytes]:
    return [wrap_as_email(text, index, sent_at) for index, text in enumerate(corpus.posts)]


def write_emails(emails: list[bytes], path: Path) -> Path:
    """`emails` in one file for bench/rspamd.lua, separated by SEPARATOR."""
    path.write_bytes(SEPARATOR.join(emails))
    return path
