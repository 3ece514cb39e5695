"""Dashboard: the Allow, Deny and Ignore lists, newest first, with a form to add a value
by hand and a Delete button on each entry (the entity returns to its tab once posted again).
"""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from spamward.dashboard.pages import Page, Redirect, View, page
from spamward.dashboard.spam_forms import (
    PAGE_SIZE,
    TAB_LINKS,
    here,
    id_of,
    list_name_of,
    listed_message,
    offset_of,
    pager,
)
from spamward.domain.decision import ListName
from spamward.domain.entity import EntityKind
from spamward.errors import ValidationFailed
from spamward.services import lists

MAX_VALUE = 600
MAX_NOTE = 1000
KINDS = [(kind.value, label) for kind, label in (
    (EntityKind.DOMAIN, "Domain"), (EntityKind.URL, "URL"), (EntityKind.PHONE, "Phone"),
    (EntityKind.EMAIL, "E-mail"), (EntityKind.TEXT, "Text"),
)]  # fmt: skip
LISTS = [(ListName.ALLOW.value, "Allow"), (ListName.DENY.value, "Deny"),
         (ListName.IGNORE.value, "Ignore")]  # fmt: skip


@page()
def spam_lists(view: Page) -> View | Redirect:
    list_name = list_name_of(view.query("list", ListName.DENY.value))
    kind = _kind_of(view.query("kind"))
    if view.form is not None:
        _change(view, list_name)
        return Redirect(here(view))
    offset = offset_of(view)
    entries = lists.list_entries(view.runtime, view.project_id, list_name, kind,
                                 PAGE_SIZE + 1, offset)  # fmt: skip
    return View("spam_lists.html", {
        "tabs": TAB_LINKS, "tab": "lists", "lists": LISTS, "kinds": KINDS,
        "list_name": list_name.value, "kind": kind.value if kind else "",
        "entries": entries[:PAGE_SIZE], "here": here(view),
        **pager("/spam/lists", offset, len(entries) > PAGE_SIZE, list=list_name.value,
                kind=kind.value if kind else ""),
    })  # fmt: skip


def _change(view: Page, list_name: ListName) -> None:
    if view.field("action") == "delete":
        entry_id = id_of(view.field("entry"), "list entry")
        lists.remove_from_list(view.runtime, view.project_id, list_name, entry_id, view.who)
        view.flash(f"Removed the entry from the {list_name} list.")
        return
    kind = _kind_of(view.field("kind"))
    if kind is None:
        raise ValidationFailed("Choose what kind of value to add.")
    value, note = _text(view, "value", MAX_VALUE), _text(view, "note", MAX_NOTE)
    if not value:
        raise ValidationFailed("Type the value to add.")
    entry = lists.NewEntry(kind, value, note or None)
    added = lists.add_to_list(view.runtime, view.project_id, list_name, entry, view.who)
    view.flash(listed_message(added))


def _kind_of(raw: str) -> EntityKind | None:
    if not raw:
        return None
    try:
        return EntityKind(raw)
    except ValueError:
        raise ValidationFailed(f"no entity kind {raw[:40]!r}") from None


def _text(view: Page, name: str, longest: int) -> str:
    value = view.field(name).strip()
    if len(value) > longest or "\x00" in value:
        raise ValidationFailed(f"The {name} is too long or holds a NUL character.")
    return value


ROUTES: list[BaseRoute] = [Route("/spam/lists", spam_lists, methods=["GET", "POST"])]
