"""Dashboard: the Spam Manager. A tab per entity kind (unlisted entities posted in the
window, most posted first), each entity's history, and Allow / Deny / Ignore on a row, on
many rows at once, or on the entity's page; the lists themselves are in spam_list_pages."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from spamward.dashboard import spam_list_pages
from spamward.dashboard.pages import Page, Redirect, View, page
from spamward.dashboard.spam_forms import (
    PAGE_SIZE,
    SLUG_OF,
    TAB_LINKS,
    TABS,
    bulk_message,
    here,
    id_of,
    list_name_of,
    listed_message,
    offset_of,
    pager,
    picked_ids,
    search_of,
)
from spamward.domain.entity import EntityKind
from spamward.errors import NotFound
from spamward.services import entity_lists, spam_manager


@page()
def spam_home(view: Page) -> Redirect:
    return Redirect("/spam/domains")


@page()
def spam_tab(view: Page) -> View | Redirect:
    slug = str(view.request.path_params["tab"])
    if slug not in TABS:
        raise NotFound(f"no Spam Manager tab {slug[:40]!r}")
    if view.form is not None:
        _list_picked(view)
        return Redirect(here(view))
    kind, _, column = TABS[slug]
    q, offset = search_of(view), offset_of(view)
    rows = spam_manager.entity_tab(view.runtime, view.project_id, kind, q or None,
                                   PAGE_SIZE + 1, offset)  # fmt: skip
    return View("spam_tab.html", {
        "tabs": TAB_LINKS, "tab": slug, "column": column, "q": q, "offset": offset,
        "rows": rows[:PAGE_SIZE], "here": here(view),
        **pager(f"/spam/{slug}", offset, len(rows) > PAGE_SIZE, q=q),
    })  # fmt: skip


@page()
def spam_entity(view: Page) -> View | Redirect:
    entity_id = id_of(str(view.request.path_params["entity_id"]), "entity")
    if view.form is not None:
        list_name = list_name_of(view.field("list"))
        entry = entity_lists.list_entity(view.runtime, view.project_id, list_name, entity_id,
                                         view.who)  # fmt: skip
        view.flash(listed_message(entry))
        return Redirect(here(view))
    entity = spam_manager.entity_detail(view.runtime, view.project_id, entity_id)
    offset = offset_of(view)
    posts = spam_manager.entity_posts(view.runtime, view.project_id, entity_id,
                                      PAGE_SIZE + 1, offset)  # fmt: skip
    kind = EntityKind(entity["kind"])
    return View("spam_entity.html", {
        "tabs": TAB_LINKS, "tab": SLUG_OF[kind], "column": TABS[SLUG_OF[kind]][2],
        "entity": entity, "posts": posts[:PAGE_SIZE], "offset": offset, "here": here(view),
        **pager(f"/spam/entity/{entity_id}", offset, len(posts) > PAGE_SIZE),
    })  # fmt: skip


def _list_picked(view: Page) -> None:
    """Allow, deny or ignore the picked rows: one (a row's buttons) or many (the bulk form)."""
    list_name = list_name_of(view.field("list"))
    outcome = entity_lists.list_entities(view.runtime, view.project_id, list_name,
                                         picked_ids(view), view.who)  # fmt: skip
    view.flash(bulk_message(outcome), "error" if outcome.errors else "ok")


ROUTES: list[BaseRoute] = [
    Route("/spam", spam_home),
    *spam_list_pages.ROUTES,
    Route("/spam/entity/{entity_id}", spam_entity, methods=["GET", "POST"]),
    Route("/spam/{tab}", spam_tab, methods=["GET", "POST"]),
]
