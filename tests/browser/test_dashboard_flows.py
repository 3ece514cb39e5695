"""The moderator's main flows in a real Chromium, against the app under uvicorn (SQLite):
the Spam Manager's tabs, Deny and Ignore, a ban with its confirmation step and the worker,
the review queue with its keyboard shortcuts, a rule edited with an error and published,
and a screenshot of every main page.

What the moderator does is done in the browser (links, buttons, forms, keys); the API is
used only for what the site would send (events, account statuses) and to set up state."""

from __future__ import annotations

import os
import random
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from spamward.runtime import Runtime
from spamward.services.moderators import Role, create_moderator
from tests.browser.support import (
    EMAIL,
    PASSWORD,
    Api,
    CspWatch,
    check_png,
    nav,
    run_worker,
    sign_in,
)
from tests.conftest import ApiProject, Clock, make_project

pytestmark = pytest.mark.browser

USERS = ("alice", "bob", "carol", "dave", "erin", "frank")


@dataclass(frozen=True)
class Link:
    url: str  # as posted
    domain: str  # its registrable domain, as the Domains tab shows it
    shown: str  # as the URLs tab shows it
    posts: int


LINKS = (
    Link("https://cheap-pills.com/buy", "cheap-pills.com", "cheap-pills.com/buy", 4),
    Link("https://cheap-pills.com/offer", "cheap-pills.com", "cheap-pills.com/offer", 3),
    Link("https://shop.cheap-pills.com/cart", "cheap-pills.com", "shop.cheap-pills.com/cart", 2),
    Link("https://crypto-gain.io/start", "crypto-gain.io", "crypto-gain.io/start", 5),
    Link("https://bestdeals.net/today", "bestdeals.net", "bestdeals.net/today", 3),
    Link("https://loans4u.biz/apply", "loans4u.biz", "loans4u.biz/apply", 2),
)
PHONES = {"+1 202 555 0143": 4, "+44 20 7946 0958": 2}
EMAILS = {"sales@pillmail.com": 3, "invest@cryptomail.io": 2}
REPEATED = {
    "Work from home and earn five hundred dollars a day, ask me how": 3,
    "Free followers for your channel, message me for the secret trick": 2,
}


def _domain_posts() -> dict[str, int]:
    posts: Counter[str] = Counter()
    for link in LINKS:
        posts[link.domain] += link.posts
    return dict(posts)


# What each tab must show: every entity with its posts.
EXPECTED: dict[str, dict[str, int]] = {
    "domains": _domain_posts(),
    "urls": {link.shown: link.posts for link in LINKS},
    "phones": PHONES,
    "emails": EMAILS,
    "texts": REPEATED,
}
TAB_LABELS = {"domains": "Domains", "urls": "URLs", "phones": "Phones", "emails": "E-mails",
              "texts": "Duplicate text"}  # fmt: skip


def demo_posts() -> list[tuple[str, str]]:
    """About 35 posts by six users, in a shuffled order (so that most posted is not merely
    first or last posted): links, phone numbers, addresses and repeated text."""
    texts = [f"Offer {n}: see {link.url} for details" for link in LINKS for n in range(link.posts)]
    texts += [f"Question {n} answered, call {phone} any time"
              for phone, count in PHONES.items() for n in range(count)]  # fmt: skip
    texts += [f"Reply {n} waiting, write to {email} soon"
              for email, count in EMAILS.items() for n in range(count)]  # fmt: skip
    texts += [text for text, count in REPEATED.items() for _ in range(count)]
    random.Random(7).shuffle(texts)
    return [(USERS[index % len(USERS)], text) for index, text in enumerate(texts)]


def load_demo(api: Api, clock: Clock) -> None:
    for user, text in demo_posts():
        api.post(user, text)
        clock.advance(minutes=1)


# --- fixtures --------------------------------------------------------------------------------


@pytest.fixture
def project(runtime: Runtime) -> ApiProject:
    created = make_project(runtime, "site-a")
    create_moderator(runtime.database, EMAIL, PASSWORD, created.name, Role.MODERATOR)
    return created


@pytest.fixture
def api(live_server: str, project: ApiProject) -> Iterator[Api]:
    site = Api(live_server, project)
    yield site
    site.close()


@pytest.fixture
def watched(page: Page) -> Iterator[Page]:
    """The page, required to end with no CSP violation and no script error."""
    watch = CspWatch(page)
    yield page
    assert watch.violations == []
    assert watch.errors == []


# --- helpers ---------------------------------------------------------------------------------


def open_tab(page: Page, base_url: str, slug: str) -> None:
    label = "Allow/Deny list" if slug == "lists" else TAB_LABELS[slug]
    tabs = page.get_by_role("navigation", name="Spam Manager")
    tabs.get_by_role("link", name=label, exact=True).click()
    expect(page).to_have_url(f"{base_url}/spam/{slug}")


def entity_rows(page: Page) -> Locator:
    return page.locator("table.spam-entities tbody tr")


def tab_rows(page: Page, count: int) -> list[tuple[str, int]]:
    """The tab's rows once it shows `count` of them: (value, posts)."""
    rows = entity_rows(page)
    expect(rows).to_have_count(count)
    found = rows.evaluate_all(
        """rows => rows.map(row => [row.querySelector("td.spam-value").textContent.trim(),
                                    row.querySelector("td.num").textContent.trim()])"""
    )
    return [(str(value), int(posts)) for value, posts in found]


def entity_row(page: Page, value: str) -> Locator:
    return entity_rows(page).filter(has=page.get_by_role("link", name=value, exact=True))


def flash(page: Page) -> Locator:
    return page.locator("p.flash")


# --- 1. the tabs, most posted first ----------------------------------------------------------


def test_spam_manager_tabs_list_entities_most_posted_first(
    live_server: str, api: Api, clock: Clock, watched: Page
) -> None:
    page = watched
    load_demo(api, clock)
    sign_in(page, live_server)

    nav(page, "Spam Manager")

    expect(page).to_have_url(f"{live_server}/spam/domains")
    expect(page.get_by_role("heading", name=re.compile("^Spam Manager"))).to_be_visible()
    for slug, expected in EXPECTED.items():
        open_tab(page, live_server, slug)
        tab = page.get_by_role("navigation", name="Spam Manager")
        expect(tab.locator('a[aria-current="page"]')).to_have_text(TAB_LABELS[slug])
        rows = tab_rows(page, len(expected))
        posts = [count for _, count in rows]
        assert posts == sorted(posts, reverse=True), (slug, rows)
        assert dict(rows) == expected, slug
        expect(page.locator(".spam-range")).to_have_text(
            f"Rows 1–{len(expected)}, most posted first."
        )


# --- 2. Deny a domain: its URLs leave the URLs tab -------------------------------------------


def test_denying_a_domain_takes_its_urls_off_the_urls_tab(
    live_server: str, api: Api, clock: Clock, watched: Page
) -> None:
    page = watched
    load_demo(api, clock)
    sign_in(page, live_server)
    nav(page, "Spam Manager")
    open_tab(page, live_server, "urls")
    pill_urls = [link.shown for link in LINKS if link.domain == "cheap-pills.com"]
    for shown in pill_urls:
        expect(entity_row(page, shown)).to_have_count(1)
    open_tab(page, live_server, "domains")

    entity_row(page, "cheap-pills.com").get_by_role("button", name="Deny").click()

    expect(flash(page)).to_have_text("Denied domain cheap-pills.com")
    expect(page).to_have_url(f"{live_server}/spam/domains")
    expect(entity_row(page, "cheap-pills.com")).to_have_count(0)
    left = {domain: posts for domain, posts in EXPECTED["domains"].items()
            if domain != "cheap-pills.com"}  # fmt: skip
    assert dict(tab_rows(page, len(left))) == left
    open_tab(page, live_server, "urls")
    others = {link.shown: link.posts for link in LINKS if link.domain != "cheap-pills.com"}
    rows = tab_rows(page, len(others))
    assert dict(rows) == others
    for shown in pill_urls:
        expect(entity_row(page, shown)).to_have_count(0)
    # The deny list has the domain, added by this moderator.
    open_tab(page, live_server, "lists")
    entry = page.locator("table.spam-entries tbody tr")
    expect(entry).to_have_count(1)
    expect(entry.locator("td").nth(0)).to_have_text("cheap-pills.com")
    expect(entry.locator("td").nth(1)).to_have_text("domain")
    expect(entry.locator("td").nth(3)).to_have_text(f"moderator:{EMAIL}")


# --- 3. Ignore: the entity leaves its tab and shows on the ignore list ------------------------


def test_ignored_entities_leave_their_tab_for_the_ignore_list(
    live_server: str, api: Api, clock: Clock, watched: Page
) -> None:
    page = watched
    load_demo(api, clock)
    sign_in(page, live_server)
    nav(page, "Spam Manager")
    open_tab(page, live_server, "phones")

    entity_row(page, "+1 202 555 0143").get_by_role("button", name="Ignore").click()

    expect(flash(page)).to_have_text("Ignored phone +1 202 555 0143")
    expect(page).to_have_url(f"{live_server}/spam/phones")
    assert tab_rows(page, 1) == [("+44 20 7946 0958", 2)]

    # Many rows at once: both duplicate texts, picked and ignored with the bulk form.
    open_tab(page, live_server, "texts")
    for text in REPEATED:
        page.get_by_role("checkbox", name=f"Select {text}").check()
    page.get_by_label("Selected rows").select_option("ignore")
    page.get_by_role("button", name="Apply to selected").click()

    expect(flash(page)).to_have_text("2 added")
    expect(entity_rows(page)).to_have_count(0)
    expect(page.locator("p.empty")).to_contain_text("Nothing to moderate here")

    open_tab(page, live_server, "lists")
    page.get_by_role("navigation", name="Lists").get_by_role("link", name="Ignore").click()
    expect(page).to_have_url(f"{live_server}/spam/lists?list=ignore")
    entries = page.locator("table.spam-entries tbody tr")
    expect(entries).to_have_count(3)
    shown = entries.evaluate_all(
        "rows => rows.map(row => row.querySelector('td.spam-value').firstChild.textContent)"
    )
    assert sorted(shown) == sorted(["+1 202 555 0143", *REPEATED])
    for row in entries.all():
        expect(row.locator("td.spam-expiry")).to_contain_text("until")
    # The deny list stays empty.
    page.get_by_role("navigation", name="Lists").get_by_role("link", name="Deny").click()
    expect(page.locator("p.empty")).to_have_text("The deny list has no entries.")


# --- 4. Ban a user, confirm, run the worker: done in the actions log --------------------------


def test_banning_a_user_is_confirmed_queued_and_done_in_the_actions_log(
    live_server: str, api: Api, clock: Clock, runtime: Runtime, watched: Page
) -> None:
    page = watched
    load_demo(api, clock)
    sign_in(page, live_server)
    nav(page, "Users")
    expect(page.locator("table.users tbody tr")).to_have_count(len(USERS))
    page.locator("table.users").get_by_role("link", name="carol", exact=True).click()
    expect(page).to_have_url(f"{live_server}/users/carol")
    expect(page.locator(".account .status")).to_have_text("active")
    ban = page.locator('form[data-action-form="ban_user"]')
    ban.get_by_label("Note").fill("posts pill links")

    ban.get_by_role("button", name="Ban…").click()

    # The confirmation step: nothing is queued before it.
    expect(page.locator(".confirm .question")).to_have_text(
        "Ban user \u2068carol\u2069? This blocks all their posts."
    )
    expect(page.locator(".confirm q")).to_have_text("posts pill links")
    assert api.call("GET", "/v1/actions")["actions"] == []
    page.get_by_role("button", name="Confirm").click()

    expect(page).to_have_url(f"{live_server}/users/carol")
    expect(flash(page)).to_have_text("Queued ban_user for carol")
    queued = page.locator("table.actions-log tbody tr")
    expect(queued).to_have_count(1)
    expect(queued.locator(".status")).to_have_text("queued")

    assert run_worker(runtime) == 1

    nav(page, "Actions log")
    expect(page).to_have_url(f"{live_server}/actions")
    rows = page.locator("table.actions-log tbody tr")
    expect(rows).to_have_count(1)
    row = rows.first
    expect(row.locator("strong")).to_have_text("ban_user")
    expect(row.locator(".status")).to_have_text("done")
    expect(row).to_contain_text("user carol")
    expect(row).to_contain_text(f"moderator:{EMAIL}")
    expect(row.get_by_role("button", name="Retry")).to_have_count(0)
    # Filtered on done bans, it is still there; the account is banned now.
    page.get_by_label("Status").select_option("done")
    page.get_by_label("Action").fill("ban_user")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"/actions\?status=done&action=ban_user"))
    expect(rows).to_have_count(1)
    row.get_by_role("link", name="carol", exact=True).click()
    expect(page).to_have_url(f"{live_server}/users/carol")
    expect(page.locator(".account .status")).to_have_text("banned")


# --- 5. The review queue: buttons and keyboard shortcuts --------------------------------------


def open_items(page: Page) -> Locator:
    return page.locator("article[data-review-item]")


def test_review_items_are_resolved_with_buttons_and_keys(
    live_server: str, api: Api, watched: Page
) -> None:
    page = watched
    api.set_status("u9", "quarantined")
    for text in ("First held post: cheap pills at cheap-pills.com today",
                 "Second held post: call +1 202 555 0143 for pills",
                 "Third held post: nothing but words from a quarantined account"):  # fmt: skip
        assert api.post("u9", text)["verdict"] == "hold"
    sign_in(page, live_server)
    nav(page, "Reviews")
    expect(page).to_have_url(f"{live_server}/reviews")
    items = open_items(page)
    expect(items).to_have_count(3)
    first, second, third = [str(i).removeprefix("item-") for i in
                            items.evaluate_all("items => items.map(item => item.id)")]  # fmt: skip
    expect(items.nth(0)).to_have_class(re.compile(r"\bselected\b"))  # reviews.js is running

    # j selects the next item, r rejects it; the next open item's page follows.
    page.keyboard.press("j")
    expect(items.nth(1)).to_have_class(re.compile(r"\bselected\b"))
    expect(items.nth(0)).not_to_have_class(re.compile(r"\bselected\b"))
    page.keyboard.press("r")

    expect(page).to_have_url(f"{live_server}/reviews/{third}")
    expect(flash(page)).to_have_text("Rejected: spam.")
    expect(open_items(page)).to_have_count(1)
    expect(open_items(page)).to_have_class(re.compile(r"\bselected\b"))
    expect(page.locator(".review-text")).to_have_text(
        "Third held post: nothing but words from a quarantined account"
    )

    # a approves the item on its own page; the queue goes round to the first one.
    page.keyboard.press("a")

    expect(page).to_have_url(f"{live_server}/reviews/{first}")
    expect(flash(page)).to_have_text("Approved: not spam.")

    # The button, with the item's domain checked: rejected and denied.
    page.get_by_role("checkbox", name=re.compile(r"domain cheap-pills\.com")).check()
    page.get_by_role("button", name="Reject (spam)").click()

    expect(page).to_have_url(f"{live_server}/reviews")
    expect(flash(page)).to_have_text("Rejected: spam. Denied: cheap-pills.com.")
    expect(open_items(page)).to_have_count(0)
    expect(page.locator("p.empty")).to_have_text("Nothing waits for review.")
    status_tabs = page.get_by_role("navigation", name="Status")
    status_tabs.get_by_role("link", name="Resolved").click()
    resolved = open_items(page)
    expect(resolved).to_have_count(3)
    answers = {
        item_id: page.locator(f"#item-{item_id} .review-resolution strong")
        for item_id in (first, second, third)
    }
    expect(answers[first]).to_have_text("reject")
    expect(answers[second]).to_have_text("reject")
    expect(answers[third]).to_have_text("approve")
    expect(resolved.locator("form.review-form")).to_have_count(0)


# --- 6. A rule edited with an error, fixed, saved and published -------------------------------


def live_version(page: Page) -> int:
    state = page.locator(".rules-state")
    expect(state).to_contain_text("Live: version")
    found = re.search(r"Live: version (\d+)", state.inner_text())
    assert found is not None
    return int(found.group(1))


def test_a_rule_with_an_error_is_fixed_saved_and_published(
    live_server: str, project: ApiProject, watched: Page
) -> None:
    page = watched
    sign_in(page, live_server)
    nav(page, "Rules")
    expect(page).to_have_url(f"{live_server}/rules")
    before = live_version(page)
    expect(page.locator("#draft-state")).to_have_text("The draft is the live version.")
    page.locator('tr[data-rule="many_links"]').get_by_role("link", name="many_links").click()
    expect(page).to_have_url(f"{live_server}/rules/many_links")
    condition = page.locator('textarea[name="condition"]')
    broken = 'evnt.text == "x"'

    condition.fill(broken)
    page.get_by_role("button", name="Save to the draft").click()

    # Not saved: the form again, as typed, the problem next to the condition.
    expect(page.locator("p.flash-error")).to_contain_text("Not saved: the rule does not check")
    expect(condition).to_have_value(broken)
    expect(condition).to_have_attribute("aria-invalid", "true")
    problem = page.locator("#problem-condition-1")
    expect(problem).to_be_visible()
    expect(problem).to_contain_text("evnt")
    expect(problem).to_contain_text("line 1, column 1")
    expect(problem.locator("pre.rules-caret")).to_have_text(f"{broken}\n^")
    expect(page.locator('textarea[name="condition"][aria-describedby="problem-condition-1"]'))\
        .to_have_count(1)  # fmt: skip
    page.goto(f"{live_server}/rules")  # nothing of it reached the draft
    expect(page.locator("#draft-state")).to_have_text("The draft is the live version.")
    page.goto(f"{live_server}/rules/many_links")

    condition.fill('event.text == "x"')
    page.get_by_role("button", name="Save to the draft").click()

    expect(page).to_have_url(f"{live_server}/rules")
    expect(flash(page)).to_have_text(
        "Rule many_links saved to the draft. Publish the draft to make it live."
    )
    row = page.locator('tr[data-rule="many_links"]')
    expect(row.locator(".rules-condition")).to_have_text('event.text == "x"')
    expect(row.locator(".status-queued")).to_have_text("changed")
    expect(page.locator("#draft-state")).to_have_text("The draft has unpublished changes.")

    page.get_by_label("Note").fill("many_links reads the text")
    page.get_by_role("button", name="Publish the draft").click()

    expect(flash(page)).to_have_text(
        f"Published the draft as version {before + 1}: it is live now."
    )
    assert live_version(page) == before + 1
    expect(page.locator("#draft-state")).to_have_text("The draft is the live version.")
    expect(row.locator(".status-queued")).to_have_count(0)
    page.get_by_role("navigation", name="Rules").get_by_role("link", name="Versions").click()
    expect(page).to_have_url(f"{live_server}/rules/versions")
    newest = page.locator(f'tr[data-version="{before + 1}"]')
    expect(newest).to_contain_text("many_links reads the text")
    expect(newest).to_contain_text(f"moderator:{EMAIL}")
    expect(newest.locator(".status-done")).to_have_text("live")


# --- 7. A screenshot of every main page -------------------------------------------------------


SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"


def screenshot_dir() -> Path:
    """`test-output/screenshots/` in the checkout, or where SPAMWARD_SCREENSHOTS says."""
    chosen = os.environ.get("SPAMWARD_SCREENSHOTS")
    directory = Path(chosen) if chosen else SCREENSHOTS
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def test_screenshots_of_every_main_page(
    live_server: str, api: Api, clock: Clock, runtime: Runtime, watched: Page
) -> None:
    page = watched
    load_demo(api, clock)
    api.set_status("u9", "quarantined")
    api.post("u9", "Held for review: cheap pills at cheap-pills.com, call +1 202 555 0143")
    api.queue_action("ban_user", "alice")
    api.queue_action("notify_user", "bob", channel="email")
    run_worker(runtime)
    suspend_week = {"action": "suspend_user", "params": {"duration": "7d"}, "description": "A week"}
    api.call("PUT", "/v1/defined-actions/suspend_week", json=suspend_week)
    api.call("POST", "/v1/policy/publish", 201, json={"note": "first version"})
    directory = screenshot_dir()
    taken: list[Path] = []

    def shot(name: str, heading: str | re.Pattern[str]) -> None:
        expect(page.locator("h1")).to_contain_text(heading)
        path = directory / f"{name}.png"
        page.screenshot(path=path, full_page=True)
        taken.append(path)

    sign_in(page, live_server)
    shot("overview", "Overview")
    nav(page, "Spam Manager")
    for slug in EXPECTED:
        open_tab(page, live_server, slug)
        expect(entity_rows(page).first).to_be_visible()
        shot(f"spam-{slug}", "Spam Manager")
    open_tab(page, live_server, "domains")
    entity_rows(page).first.get_by_role("link").click()
    expect(page.locator(".spam-entity")).to_be_visible()
    shot("spam-entity", "Spam Manager")
    open_tab(page, live_server, "lists")
    shot("spam-lists", "Spam Manager")
    nav(page, "Users")
    shot("users", "Users who post spam")
    page.locator("table.users").get_by_role("link", name="alice", exact=True).click()
    shot("user-detail", "User alice")
    nav(page, "Actions log")
    shot("actions-log", "Actions log")
    page.locator("table.actions-log tbody tr").first.get_by_role("link").first.click()
    shot("action-detail", re.compile("ban_user|notify_user"))
    nav(page, "Actions")
    shot("defined-actions", "Defined actions")
    nav(page, "Reviews")
    expect(open_items(page)).to_have_count(1)
    shot("reviews", "Review queue")
    page.get_by_role("link", name="open", exact=True).click()
    shot("review-item", "Review: held content")
    nav(page, "Rules")
    shot("rules", "Rules")
    page.locator('tr[data-rule="many_links"]').get_by_role("link").click()
    shot("rule-edit", "Rule many_links")
    page.get_by_role("link", name="← Rules").click()
    page.get_by_role("navigation", name="Rules").get_by_role("link", name="Versions").click()
    shot("rule-versions", "Policy versions")
    nav(page, "Settings")
    shot("settings", "Settings")
    nav(page, "Decisions")
    shot("decisions", "Recent decisions")

    assert len(taken) == 20
    viewport = page.viewport_size
    assert viewport is not None
    for path in taken:
        width, height = check_png(path)
        assert width == viewport["width"], path
        assert height >= viewport["height"], path  # a full page: at least the viewport
