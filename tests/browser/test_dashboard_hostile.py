"""Hostile text in a real Chromium: posts and user ids carrying script tags, event-handler
attributes, attribute-breaking quotes, javascript: links, an RTL override and a 10 kB word,
on every page that shows what users post (SQLite).

On each page the browser must run none of it (window.__pwned stays undefined; no script but
those served from /static; no on* attribute; no javascript: link), show it literally, and
keep the layout (the 10 kB word wraps instead of widening the page). Escaping must do all
of it: the CSP must never have to block anything."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from playwright.sync_api import Page, expect

from spamward.runtime import Runtime
from spamward.services.moderators import Role, create_moderator
from tests.browser.support import EMAIL, PASSWORD, Api, CspWatch, nav, run_worker, sign_in
from tests.conftest import ApiProject, make_project

pytestmark = pytest.mark.browser

RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE
LONG_WORD = "A" * 10_240  # a 10 kB word, no spaces
SCRIPT = "<script>window.__pwned=1</script>"
IMG = '<img src=x onerror="window.__pwned=2">'
ATTR = '" onmouseover="window.__pwned=3'
JS_LINK = '<a href="javascript:window.__pwned=4">here</a>'
JS_URL = "javascript:window.__pwned=4"

SCRIPT_USER = "<script>window.__pwned=5</script>"
ATTR_USER = 'u" onmouseover="window.__pwned=6" x=\''
RTL_USER = f"rtl{RLO}gnp.exe"
LONG_USER = "W" * 200  # the longest user id the API takes, no spaces

SCRIPT_TEXT = f"Cheap pills {SCRIPT} at https://evil-site.com/x, order today and save"
IMG_TEXT = f"Look {IMG} and {ATTR} at https://evil-site.com/w for watches"
JS_TEXT = f"Prize {RLO}gnp.exe: click {JS_LINK} or {JS_URL}, call +1 202 555 0199"
LONG_TEXT = f"word {LONG_WORD} end https://evil-site.com/{LONG_WORD}"
LONG_URL = f"evil-site.com/{LONG_WORD}"

MAX_WIDTH_RATIO = 1.5  # the page may be at most this much wider than the viewport

# Everything the checks read, in the page, in one go.
INSPECT = """literals => {
    const all = Array.from(document.querySelectorAll("*"));
    const onAttributes = all.flatMap(element => Array.from(element.attributes)
        .filter(attribute => attribute.name.toLowerCase().startsWith("on"))
        .map(attribute => `${element.tagName.toLowerCase()}[${attribute.name}]`));
    const urlAttributes = ["href", "src", "action", "formaction", "xlink:href"];
    const scriptUrls = all.flatMap(element => urlAttributes
        .map(name => element.getAttribute(name))
        .filter(value => value !== null &&
            value.replace(/[\\u0000-\\u0020]/g, "").toLowerCase().startsWith("javascript:")));
    const scripts = Array.from(document.querySelectorAll("script"))
        .map(script => script.getAttribute("src"))
        .filter(src => src === null || !src.startsWith("/static/"));
    const text = document.body.textContent;
    return {
        pwned: typeof window.__pwned,
        onAttributes: onAttributes,
        scriptUrls: scriptUrls,
        foreignScripts: scripts.map(src => String(src)),
        images: document.querySelectorAll("img, iframe, object, embed").length,
        missing: literals.filter(literal => !text.includes(literal)),
        scrollWidth: document.scrollingElement.scrollWidth,
        viewportWidth: window.innerWidth,
    };
}"""


# --- fixtures --------------------------------------------------------------------------------


@pytest.fixture
def project(runtime: Runtime) -> ApiProject:
    created = make_project(runtime, "site-a")
    create_moderator(runtime.database, EMAIL, PASSWORD, created.name, Role.MODERATOR)
    return created


@pytest.fixture
def hostile(live_server: str, project: ApiProject, runtime: Runtime) -> Iterator[Api]:
    """The hostile posts; two of the posters quarantined (their posts wait for review); a
    ban of each poster, run."""
    site = Api(live_server, project)
    for user in (ATTR_USER, RTL_USER):
        site.call("PUT", f"/v1/users/{quote(user, safe='')}/status",
                  json={"status": "quarantined"})  # fmt: skip
    for user, text in (
        (SCRIPT_USER, SCRIPT_TEXT),
        (SCRIPT_USER, SCRIPT_TEXT),  # twice: a duplicate text
        (ATTR_USER, IMG_TEXT),
        (ATTR_USER, IMG_TEXT),
        (ATTR_USER, LONG_TEXT),
        (RTL_USER, JS_TEXT),
        (LONG_USER, LONG_TEXT),
    ):
        site.post(user, text)
    for user in (SCRIPT_USER, ATTR_USER, RTL_USER, LONG_USER):
        site.queue_action("ban_user", user)
    run_worker(runtime)
    yield site
    site.close()


@pytest.fixture
def moderator(live_server: str, hostile: Api, page: Page) -> Iterator[Page]:
    """Signed in over the hostile data; no CSP report and no script error by the end."""
    watch = CspWatch(page)
    sign_in(page, live_server)
    yield page
    assert watch.violations == [], "escaping must do the work, not the CSP"
    assert watch.errors == []


# --- the checks ------------------------------------------------------------------------------


def check_page(page: Page, *literals: str) -> None:
    """Nothing hostile runs or is markup, each literal is shown as text, the layout holds."""
    found: dict[str, Any] = page.evaluate(INSPECT, list(literals))
    where = page.url
    assert found["pwned"] == "undefined", where
    assert found["foreignScripts"] == [], where
    assert found["onAttributes"] == [], where
    assert found["scriptUrls"] == [], where
    assert found["images"] == 0, where
    assert found["missing"] == [], where
    assert found["scrollWidth"] <= MAX_WIDTH_RATIO * found["viewportWidth"], (
        f"{where}: the page is {found['scrollWidth']} px wide in a "
        f"{found['viewportWidth']} px viewport"
    )


def hover_everything(page: Page) -> None:
    """Hover each user link: an injected onmouseover would fire now."""
    for link in page.locator("a[href^='/users/']").all()[:20]:
        link.hover()
    assert page.evaluate("typeof window.__pwned") == "undefined"


# --- the pages -------------------------------------------------------------------------------


def test_overview_page(live_server: str, moderator: Page) -> None:
    page = moderator
    expect(page).to_have_url(f"{live_server}/overview")
    expect(page.locator("#chart-domains")).to_contain_text("evil-site.com")

    check_page(page, "evil-site.com")


def test_decisions_page(live_server: str, moderator: Page) -> None:
    page = moderator
    nav(page, "Decisions")
    expect(page.locator("table.decisions tbody tr")).to_have_count(7)

    check_page(page, SCRIPT, IMG, ATTR, JS_LINK, JS_URL, f"{RLO}gnp.exe", SCRIPT_USER,
               ATTR_USER, RTL_USER, LONG_USER, LONG_URL[:300])  # fmt: skip
    expect(page.get_by_text(SCRIPT, exact=False).first).to_be_visible()


def test_spam_manager_tabs(live_server: str, moderator: Page) -> None:
    page = moderator
    nav(page, "Spam Manager")
    tabs = page.get_by_role("navigation", name="Spam Manager")
    shown = {
        "Domains": ["evil-site.com"],
        "URLs": [LONG_URL[:300], "evil-site.com/x"],
        "Phones": ["+1 202 555 0199"],
        "E-mails": [],
        "Duplicate text": [SCRIPT, IMG],
    }
    for label, literals in shown.items():
        tabs.get_by_role("link", name=label, exact=True).click()
        expect(tabs.locator('a[aria-current="page"]')).to_have_text(label)
        check_page(page, *literals)

    # Ignored, the hostile text is told back in the flash and shown on the ignore list.
    tabs.get_by_role("link", name="Duplicate text", exact=True).click()
    rows = page.locator("table.spam-entities tbody tr")
    rows.filter(has_text=IMG).get_by_role("button", name="Ignore").click()
    expect(page.locator("p.flash")).to_contain_text(f"Ignored text Look {IMG}")
    expect(rows.filter(has_text=IMG)).to_have_count(0)
    expect(rows.filter(has_text=SCRIPT)).to_have_count(1)
    check_page(page, IMG, SCRIPT)
    tabs.get_by_role("link", name="Allow/Deny list", exact=True).click()
    page.get_by_role("navigation", name="Lists").get_by_role("link", name="Ignore").click()
    expect(page.locator("table.spam-entries tbody tr")).to_have_count(1)
    check_page(page, IMG, ATTR)


def test_entity_history_pages(live_server: str, moderator: Page) -> None:
    page = moderator
    nav(page, "Spam Manager")
    tabs = page.get_by_role("navigation", name="Spam Manager")
    rows = page.locator("table.spam-entities tbody tr")

    page.get_by_role("link", name="evil-site.com", exact=True).click()
    expect(page.locator(".spam-entity")).to_be_visible()
    check_page(page, SCRIPT, IMG, ATTR, SCRIPT_USER, ATTR_USER, LONG_USER)
    hover_everything(page)

    tabs.get_by_role("link", name="URLs", exact=True).click()
    rows.filter(has_text=LONG_WORD[:100]).get_by_role("link").click()
    expect(page.locator(".spam-entity h2")).to_contain_text(LONG_URL[:300])
    check_page(page, LONG_URL[:300], ATTR_USER, LONG_USER)

    tabs.get_by_role("link", name="Duplicate text", exact=True).click()
    rows.filter(has_text=IMG).get_by_role("link").click()
    expect(page.locator(".spam-entity")).to_be_visible()
    check_page(page, IMG, ATTR, ATTR_USER)


def test_users_list_and_user_pages(live_server: str, moderator: Page) -> None:
    page = moderator
    nav(page, "Users")
    users = page.locator("table.users")
    expect(users.locator("tbody tr")).to_have_count(4)
    check_page(page, SCRIPT_USER, ATTR_USER, RTL_USER, LONG_USER, LONG_URL[:300])
    hover_everything(page)

    for user, literals in (
        (SCRIPT_USER, [SCRIPT]),
        (ATTR_USER, [IMG, ATTR]),
        (RTL_USER, [JS_LINK, JS_URL, f"{RLO}gnp.exe"]),
        (LONG_USER, [LONG_URL[:300]]),
    ):
        users.get_by_role("link", name=user, exact=True).click()
        expect(page.locator("h1 code.user-id")).to_have_text(user)
        check_page(page, user, *literals)
        page.get_by_role("link", name="← Users").click()

    # The confirmation step asks about the hostile user, as text.
    users.get_by_role("link", name=SCRIPT_USER, exact=True).click()
    page.locator('form[data-action-form="ban_user"]').get_by_role("button").click()
    expect(page.locator(".confirm .question")).to_have_text(
        f"Ban user \u2068{SCRIPT_USER}\u2069? This blocks all their posts."
    )
    check_page(page, SCRIPT_USER)


def test_review_queue_and_item(live_server: str, moderator: Page) -> None:
    page = moderator
    nav(page, "Reviews")
    items = page.locator("article[data-review-item]")
    expect(items).to_have_count(4)
    expect(items.first).to_have_class(re.compile(r"\bselected\b"))  # reviews.js ran

    check_page(page, IMG, ATTR, JS_LINK, JS_URL, f"{RLO}gnp.exe", ATTR_USER, RTL_USER,
               LONG_WORD)  # fmt: skip
    held_long = items.filter(has=page.locator(".review-text", has_text=LONG_WORD[:100]))
    held_long.get_by_role("link", name="open").click()
    expect(page.locator(".review-text")).to_contain_text(LONG_WORD)
    check_page(page, LONG_WORD, ATTR_USER)


def test_actions_log_and_action(live_server: str, moderator: Page) -> None:
    page = moderator
    nav(page, "Actions log")
    rows = page.locator("table.actions-log tbody tr")
    expect(rows).to_have_count(4)
    check_page(page, SCRIPT_USER, ATTR_USER, RTL_USER, LONG_USER)
    hover_everything(page)

    # The filter form shows the hostile user id back in its field.
    page.get_by_label("User").fill(ATTR_USER)
    page.get_by_role("button", name="Filter").click()
    expect(rows).to_have_count(1)
    expect(page.get_by_label("User")).to_have_value(ATTR_USER)
    check_page(page, ATTR_USER)

    rows.first.get_by_role("link").first.click()
    expect(page.locator("h1")).to_contain_text("ban_user")
    check_page(page, ATTR_USER)


# Whether a word of the page's own text is laid out left to right: its first letter left
# of its second. A bidi override that leaks out of user text reverses it.
READS_LEFT_TO_RIGHT = """(element, word) => {
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const at = node.data.indexOf(word);
        if (at < 0) { continue; }
        const box = offset => {
            const range = document.createRange();
            range.setStart(node, at + offset);
            range.setEnd(node, at + offset + 1);
            return range.getBoundingClientRect();
        };
        return box(0).left < box(1).left;
    }
    return null;
}"""


def test_an_rtl_override_in_a_user_id_stays_inside_it(live_server: str, moderator: Page) -> None:
    page = moderator
    nav(page, "Users")
    page.locator("table.users").get_by_role("link", name=RTL_USER, exact=True).click()
    heading = page.locator("h1")
    expect(heading.locator("code.user-id")).to_have_text(RTL_USER)
    leaked = []
    if heading.evaluate(READS_LEFT_TO_RIGHT, "site-a") is not True:
        leaked.append("user page heading: the project name after the id")

    page.locator('form[data-action-form="ban_user"]').get_by_role("button").click()
    question = page.locator(".confirm .question")
    # The id is set apart with first-strong isolate ... pop directional isolate marks.
    expect(question).to_have_text(f"Ban user \u2068{RTL_USER}\u2069? This blocks all their posts.")
    if question.evaluate(READS_LEFT_TO_RIGHT, "This blocks") is not True:
        leaked.append("confirmation question: 'This blocks all their posts.' after the id")

    assert leaked == [], leaked
