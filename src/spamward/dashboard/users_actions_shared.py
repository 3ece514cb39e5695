"""Helpers the user and action pages share: paging, links to users and actions, and
checked form text."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlencode

from spamward.dashboard.pages import Page
from spamward.errors import ValidationFailed

PAGE_SIZE = 50
MAX_OFFSET = 1_000_000  # deep pages are reached with filters, not by paging a million rows
MAX_USER_ID = 200  # as the site's user ids are stored
MAX_NOTE = 1000


@dataclass(frozen=True, slots=True)
class Pager:
    previous: str | None
    next: str | None


def page_offset(view: Page, name: str = "offset") -> int:
    """The offset asked for in the query string: 0 unless a whole number in range."""
    value = view.query(name)
    if not value.isascii() or not value.isdigit():
        return 0
    return min(int(value), MAX_OFFSET)


def pager(view: Page, offset: int, size: int, has_more: bool, name: str = "offset") -> Pager:
    """Links to the previous and next pages of `size` rows, keeping the other query
    parameters."""
    kept = [(key, value) for key, value in view.request.query_params.multi_items() if key != name]

    def link(to: int) -> str:
        query = urlencode([*kept, (name, str(to))] if to else kept)
        return f"{view.request.url.path}?{query}" if query else view.request.url.path

    previous = link(max(0, offset - size)) if offset > 0 else None
    following = link(offset + size) if has_more and offset + size <= MAX_OFFSET else None
    return Pager(previous, following)


def user_href(user_id: str) -> str:
    """The user's page; every character of the id is quoted, a slash too."""
    return "/users/" + quote(user_id, safe="")


def action_href(action_id: str) -> str:
    return "/actions/" + quote(action_id, safe="")


def storable(value: str, max_length: int) -> bool:
    """Text the database takes: no NUL character (PostgreSQL refuses them), not too long."""
    return "\x00" not in value and len(value) <= max_length


def form_text(view: Page, name: str, max_length: int = MAX_NOTE) -> str:
    value = view.field(name).strip()
    if not storable(value, max_length):
        problem = f"at most {max_length} characters, and no NUL character"
        raise ValidationFailed(f"{name}: {problem}", [{"field": name, "message": problem}])
    return value
