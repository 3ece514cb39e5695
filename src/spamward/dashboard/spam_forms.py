"""What the Spam Manager pages share: reading paging, search and list choices from the
query and the form, the links that keep them, and how a list change is told back."""

from __future__ import annotations

from urllib.parse import urlencode

from spamward.dashboard.pages import Page
from spamward.domain.decision import ListName
from spamward.domain.entity import EntityKind
from spamward.errors import NotFound, ValidationFailed
from spamward.services.lists import BulkOutcome, ListEntryView

PAGE_SIZE = 50
MAX_OFFSET = 1_000_000_000
MAX_SEARCH = 200
MAX_PICKED = 500
SHOWN_CHARS = 80
# slug: (kind, tab label, column label)
TABS = {
    "domains": (EntityKind.DOMAIN, "Domains", "Domain"),
    "urls": (EntityKind.URL, "URLs", "URL"),
    "phones": (EntityKind.PHONE, "Phones", "Phone"),
    "emails": (EntityKind.EMAIL, "E-mails", "E-mail"),
    "texts": (EntityKind.TEXT, "Duplicate text", "Text"),
}
TAB_LINKS = [(slug, label) for slug, (_, label, _) in TABS.items()] + [("lists", "Allow/Deny list")]
SLUG_OF = {kind: slug for slug, (kind, _, _) in TABS.items()}
DONE = {ListName.ALLOW: "Allowed", ListName.DENY: "Denied", ListName.IGNORE: "Ignored"}


def offset_of(view: Page) -> int:
    """The page's offset: a bad or huge one reads as the first page."""
    raw = view.query("offset")
    return int(raw) if raw.isascii() and raw.isdigit() and int(raw) <= MAX_OFFSET else 0


def search_of(view: Page) -> str:
    return view.query("q").replace("\x00", "").strip()[:MAX_SEARCH]


def here(view: Page) -> str:
    """This page's path and query: where a form posts and is sent back to."""
    query = view.request.url.query
    return view.request.url.path + (f"?{query}" if query else "")


def page_url(path: str, **params: str | int) -> str:
    kept = {name: value for name, value in params.items() if value not in ("", 0)}
    return path + (f"?{urlencode(kept)}" if kept else "")


def pager(path: str, offset: int, more: bool, **params: str) -> dict[str, str | None]:
    """Previous and Next links (None at either end), keeping `params`."""
    previous = page_url(path, **params, offset=max(0, offset - PAGE_SIZE)) if offset else None
    following = page_url(path, **params, offset=offset + PAGE_SIZE) if more else None
    return {"previous_url": previous, "next_url": following}


def list_name_of(raw: str) -> ListName:
    try:
        return ListName(raw)
    except ValueError:
        raise NotFound(f"no list named {raw[:40]!r}: allow, deny or ignore") from None


def is_id(raw: str) -> bool:
    return raw.isascii() and raw.isdigit() and len(raw) <= 18  # int() takes "²" too


def id_of(raw: str, what: str) -> int:
    if not is_id(raw):
        raise NotFound(f"no such {what}")
    return int(raw)


def picked_ids(view: Page) -> list[int]:
    """The entity ids a form picked, each once, in order."""
    raw = view.fields("entity")
    if not raw:
        raise ValidationFailed("Select at least one row first.")
    if len(raw) > MAX_PICKED or not all(is_id(value) for value in raw):
        raise ValidationFailed("The selection is not valid.")
    return list(dict.fromkeys(int(value) for value in raw))


def shorten(text: str) -> str:
    return text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 1] + "…"


def listed_message(entry: ListEntryView) -> str:
    return f"{DONE[ListName(entry.list)]} {entry.kind} {shorten(entry.display)}"


def bulk_message(outcome: BulkOutcome) -> str:
    """'3 added, 1 error: domain x is already on the deny list'."""
    if len(outcome.added) == 1 and not outcome.errors:
        return listed_message(outcome.added[0])
    if len(outcome.errors) == 1 and not outcome.added:
        return outcome.errors[0][1].message
    message = f"{len(outcome.added)} added"
    if outcome.errors:
        count = len(outcome.errors)
        reasons = "; ".join(shorten(error.message) for _, error in outcome.errors[:3])
        more = "; …" if count > 3 else ""
        message += f", {count} error{'s' if count > 1 else ''}: {reasons}{more}"
    return message
