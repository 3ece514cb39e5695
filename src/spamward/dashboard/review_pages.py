"""Dashboard: the review queue. Items oldest first, each with what a moderator needs to
judge it (the post, its entities and their lists, the rule trace, the failed action, the
user's recent spam), and a form to approve, reject or retry it, listing entities on the way.
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlencode

from starlette.routing import BaseRoute, Route

from spamward.dashboard.pages import Page, Redirect, View, page
from spamward.dashboard.review_answers import answer_of, resolved_message
from spamward.domain.entity import EntityKind
from spamward.errors import NotFound
from spamward.services import review_queue, reviews

PAGE_SIZE = 20  # each item is shown with its whole context
KINDS = ("held_content", "questionable", "action_failed", "rule_exhausted")
STATUSES = ("open", "resolved")
LISTABLE = {kind.plural: kind for kind in EntityKind if kind is not EntityKind.TEXT}


@page()
def reviews_page(view: Page) -> View:
    status = _choice(view.query("status"), STATUSES) or "open"
    kind = _choice(view.query("kind"), KINDS)
    offset = _offset(view.query("offset"))
    found = reviews.review_items(view.runtime, view.project_id, status, kind, PAGE_SIZE + 1,
                                 offset)  # fmt: skip
    items = _with_context(view, [uuid.UUID(item["id"]) for item in found[:PAGE_SIZE]])
    return View("reviews.html", {
        "items": items, "queue_status": status, "kind": kind, "kinds": KINDS, "offset": offset,
        "page_size": PAGE_SIZE, "more": len(found) > PAGE_SIZE,
    })  # fmt: skip


@page()
def review_page(view: Page) -> View:
    item_id = _item_id(view)
    kind = _choice(view.query("kind"), KINDS)
    [item] = _with_context(view, [item_id])
    around = review_queue.neighbours(view.runtime, view.project_id, item_id, kind)
    return View("reviews_detail.html", {
        "item": item, "kind": kind, "previous": _item_url(around.previous, kind),
        "next": _item_url(around.next, kind),
    })  # fmt: skip


@page()
def resolve_page(view: Page) -> Redirect:
    item_id = _item_id(view)
    kind = _choice(view.field("kind"), KINDS)
    outcome = reviews.resolve(view.runtime, view.project_id, item_id, answer_of(view), view.who)
    view.flash(resolved_message(outcome))
    following = review_queue.next_open(view.runtime, view.project_id, item_id, kind)
    return Redirect(_item_url(following, kind) or _queue_url(kind))


def _with_context(view: Page, item_ids: list[uuid.UUID]) -> list[dict[str, Any]]:
    """Each item with its context, and its entities with the list each is on now."""
    items = reviews.review_items_in_context(view.runtime, view.project_id, item_ids)
    for item in items:
        item["entity_rows"] = _entities(item)
    keys = [(row["kind"], row["value"]) for item in items for row in item["entity_rows"]]
    listed = review_queue.list_states(view.runtime, view.project_id, keys)
    for item in items:
        for row in item["entity_rows"]:
            now = listed.get((row["kind"], row["value"]))
            row["list_now"] = now.value if now else None
    return items


def _entities(item: dict[str, Any]) -> list[dict[str, Any]]:
    decision = item.get("decision") or {}
    return [
        {"kind": kind, "value": entity["value"], "display": entity["display"],
         "list_then": entity.get("list"), "field": f"{kind.value}:{entity['value']}"}
        for plural, kind in LISTABLE.items()
        for entity in (decision.get("entities") or {}).get(plural, [])
    ]  # fmt: skip


def _item_id(view: Page) -> uuid.UUID:
    try:
        return uuid.UUID(str(view.request.path_params["item_id"]))
    except ValueError:
        raise NotFound("no such review item") from None


def _item_url(item_id: uuid.UUID | None, kind: str | None) -> str | None:
    if item_id is None:
        return None
    return f"/reviews/{item_id}" + (f"?{urlencode({'kind': kind})}" if kind else "")


def _queue_url(kind: str | None) -> str:
    return "/reviews" + (f"?{urlencode({'kind': kind})}" if kind else "")


def _choice(value: str, allowed: tuple[str, ...]) -> str | None:
    return value if value in allowed else None


def _offset(value: str) -> int:
    return int(value) if value.isdigit() and len(value) < 10 else 0


ROUTES: list[BaseRoute] = [
    Route("/reviews", reviews_page, methods=["GET"]),
    Route("/reviews/{item_id}", review_page, methods=["GET"]),
    Route("/reviews/{item_id}", resolve_page, methods=["POST"]),
]
