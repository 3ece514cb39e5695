"""Turn a corpus CONTENT value into the text a poster wrote, without the crawl's artifacts.

The YouTube files carry artifacts that give the label away (see the corpora READMEs): a
trailing U+FEFF whose absence goes with spam, HTML escapes and tags (`<br />`, `<a href>`)
added by the crawl, and one row into which a quoting error glued five other records. The
cleaning here removes them; nothing else of a row (DATE, AUTHOR, COMMENT_ID) is ever read.
"""

from __future__ import annotations

import html
import re

BYTE_ORDER_MARK = "\ufeff"

_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][^<>]{0,400}>")
_LINE_BREAK_TAG = re.compile(r"<\s*br\s*/?\s*>", re.IGNORECASE)
_WHITESPACE = re.compile(r"\s+")
# The SMS corpus's anonymisation marks, found only in ham (236 rows): a number, a time, a link.
_SMS_PLACEHOLDER = re.compile(r"<(?:#|DECIMAL|TIME|URL|EMAIL)>")
# A CSV record glued into a CONTENT value: `...,0\n<COMMENT_ID>,<AUTHOR>,<DATE>,...`.
_EMBEDDED_RECORD = re.compile(r",[01]\r?\n[A-Za-z0-9_-]{20,},[^,\n]*,\d{4}-\d\d-\d\dT")


def clean_text(content: str) -> str:
    """The comment as shown to a reader: no U+FEFF, HTML unescaped, tags dropped (their text
    kept), whitespace runs folded to one space, no leading or trailing space."""
    text = content.replace(BYTE_ORDER_MARK, "")
    text = _LINE_BREAK_TAG.sub(" ", text)
    text = _TAG.sub("", text)
    return _folded(html.unescape(text).replace(BYTE_ORDER_MARK, ""))


def clean_sms(text: str) -> str:
    """An SMS as its sender wrote it, less the corpus's placeholders (`<#>`, `<TIME>`...),
    which stand where the NUS corpus removed a number or a link, only ever in ham."""
    return _folded(_SMS_PLACEHOLDER.sub(" ", clean_text(text)))


def duplicate_key(text: str) -> str:
    """Texts equal under this key count as one comment: case and spacing do not matter."""
    return " ".join(text.casefold().split())


def is_corrupted(content: str) -> bool:
    """True when a CONTENT value swallowed other CSV records (a quoting error in the crawl)."""
    return _EMBEDDED_RECORD.search(content) is not None


def _folded(text: str) -> str:
    return _WHITESPACE.sub(" ", text).strip()
