"""The overview's charts and the settings pages, through the ASGI app, on SQLite and
PostgreSQL: what the charts draw, that hostile text stays text inside the SVG, that each
settings form changes state through its service, and who may change what."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from datetime import timedelta
from html.parser import HTMLParser

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import select
from starlette.testclient import TestClient

from spamward.closed_hours import ClosedHours, HourCounts
from spamward.dashboard.charts import Axes, Series, columns, nice_ticks, rows
from spamward.dashboard.overview_pages import duration
from spamward.domain.ids import new_id
from spamward.runtime import Runtime
from spamward.services import policies, project_settings, remediation_settings
from spamward.services.moderators import ModeratorRef, Role, create_moderator
from spamward.settings import Settings
from spamward.storage.models import (
    Action,
    ApiKey,
    Decision,
    Entity,
    Membership,
    Project,
)
from spamward.storage.repositories import reviews
from tests.conftest import EXAMPLE_POST, ApiProject, Clock
from tests.test_dashboard import (
    PASSWORD,
    Page,
    assert_forbidden_json,
    grant,
    login,
    record,
)

ADMIN = "admin@example.org"
MODERATOR = "moderator@example.org"
VIEWER = "viewer@example.org"
SMTP_PASSWORD = "smtp-password-never-shown"
HOSTILE_DOMAIN = '<script>alert(1)</script>"><img src=x onerror=alert(2)>.example'

# --- helpers ---------------------------------------------------------------------------


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The test settings with SMTP configured, password included."""
    return settings.model_copy(
        update={
            "smtp_host": "mail.example.org",
            "smtp_port": 587,
            "smtp_security": "starttls",
            "smtp_username": "spamward",
            "smtp_password": SecretStr(SMTP_PASSWORD),
            "smtp_from": "alerts@example.org",
        }
    )


@pytest.fixture
def staff(runtime: Runtime, project: ApiProject) -> dict[Role, ModeratorRef]:
    return {
        Role.ADMIN: create_moderator(runtime.database, ADMIN, PASSWORD, project.name, Role.ADMIN),
        Role.MODERATOR: create_moderator(
            runtime.database, MODERATOR, PASSWORD, project.name, Role.MODERATOR
        ),
        Role.VIEWER: create_moderator(
            runtime.database, VIEWER, PASSWORD, project.name, Role.VIEWER
        ),
    }


def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> None:
    client.cookies.clear()
    assert login(client, email, password).status_code == 303


def token_of(response: httpx.Response) -> str:
    """The page's form token (every form of a page carries the same one)."""
    tokens = {attrs.get("value") for attrs in Page(response.text).find("input", name="csrf_token")}
    assert len(tokens) == 1, tokens
    token = tokens.pop()
    assert token
    return token


def post(
    client: TestClient, path: str, data: dict[str, str], page: str = "/settings"
) -> httpx.Response:
    """Post a form from `page`, as a browser does (with the page as referer, where an error
    sends it back)."""
    response: httpx.Response = client.post(
        path,
        data={"csrf_token": token_of(client.get(page)), **data},
        headers={"referer": f"http://testserver{page}"},
        follow_redirects=False,
    )
    return response


def flash_after(client: TestClient, response: httpx.Response) -> str:
    assert response.status_code == 303, response.text
    page = Page(client.get(response.headers["location"]).text)
    return page.text


class ChartParser(HTMLParser):
    """Each chart's bars (class, tooltip), texts and legend, by chart id."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.bars: dict[str, list[tuple[str, str]]] = {}
        self.texts: dict[str, list[str]] = {}
        self.legend: dict[str, list[str]] = {}
        self.tags: set[str] = set()
        self._chart = ""
        self._in: list[str] = []
        self._rect_class = ""
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if self._chart:
            self.tags.add(tag)
        if tag == "svg" and found.get("data-chart"):
            self._chart = str(found["data-chart"])
            for store in (self.bars, self.texts, self.legend):
                store.setdefault(self._chart, [])
        if tag == "rect":
            self._rect_class = str(found.get("class", ""))
        self._in.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg":
            self._chart = ""
        if self._in:
            self._in.pop()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._chart:
            self.tags.add(tag)

    def handle_data(self, data: str) -> None:
        if not self._chart or not self._in:
            return
        if self._in[-1] == "title" and len(self._in) > 1 and self._in[-2] == "rect":
            if self._rect_class.startswith("bar "):
                self.bars[self._chart].append((self._rect_class.removeprefix("bar "), data))
            elif self._rect_class.startswith("swatch "):
                self.legend[self._chart].append(self._rect_class.removeprefix("swatch "))
        elif self._in[-1] == "text":
            self.texts[self._chart].append(data)


def overview(client: TestClient, span: str = "") -> ChartParser:
    response = client.get("/overview" + (f"?span={span}" if span else ""))
    assert response.status_code == 200, response.text
    return ChartParser(response.text)


def tips(parsed: ChartParser, chart: str) -> list[str]:
    return [tip for _, tip in parsed.bars[chart]]


# --- the overview: decisions by verdict ---------------------------------------------------


def test_overview_needs_a_login(client: TestClient) -> None:
    response = client.get("/overview", follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Foverview"


@pytest.mark.usefixtures("staff")
def test_decisions_are_stacked_by_verdict_per_day_with_a_legend(
    client: TestClient, project: ApiProject, clock: Clock
) -> None:
    clock.advance(days=-1)  # 2026-03-01 12:00
    record(client, project, "A perfectly ordinary comment about gardening.")
    record(client, project, "Another ordinary comment about tomatoes.")
    assert client.post(
        "/v1/lists/deny", json={"kind": "domain", "value": "bit.ly"}, headers=project.headers
    ).is_success
    clock.advance(days=1)  # 2026-03-02 12:00
    record(client, project, EXAMPLE_POST)
    record(client, project, "Roses need sun and water.")
    sign_in(client, VIEWER)

    parsed = overview(client)

    assert sorted(tips(parsed, "verdicts")) == [
        "2026-03-01 · allow: 2", "2026-03-02 · allow: 1", "2026-03-02 · block: 1",
    ]  # fmt: skip
    classes = {css for css, _ in parsed.bars["verdicts"]}
    assert classes == {"fill-verdict-allow", "fill-verdict-block"}
    assert parsed.legend["verdicts"] == ["fill-verdict-allow", "fill-verdict-block"]
    texts = parsed.texts["verdicts"]
    assert {"allow", "block", "Day (UTC)", "Decisions", "Feb 17", "Mar 02"} <= set(texts)
    assert "Feb 16" not in texts  # 14 days: today and the 13 before


@pytest.mark.usefixtures("staff")
def test_the_48_hour_span_counts_by_hour(
    client: TestClient, project: ApiProject, clock: Clock
) -> None:
    clock.advance(hours=-30)  # 2026-03-01 06:00
    record(client, project, "An early comment about the garden.")
    clock.advance(hours=29, minutes=30)  # 2026-03-02 11:30
    record(client, project, "A comment about the weather.")
    record(client, project, "A comment about the rain.")
    clock.advance(hours=-50)  # 2026-02-28 09:30, outside the 48 hours
    record(client, project, "Too old for this chart.")
    clock.advance(hours=50, minutes=20)  # 2026-03-02 11:50
    sign_in(client, VIEWER)

    parsed = overview(client, "48h")

    assert sorted(tips(parsed, "verdicts")) == [
        "2026-03-01 06:00 · allow: 1", "2026-03-02 11:00 · allow: 2",
    ]  # fmt: skip
    assert "Hour (UTC)" in parsed.texts["verdicts"]


@pytest.mark.usefixtures("staff")
def test_closed_hours_are_read_once_and_new_decisions_still_count(
    client: TestClient, project: ApiProject, clock: Clock, runtime: Runtime
) -> None:
    clock.advance(hours=-3)  # 09:00
    record(client, project, "A comment three hours ago.")
    clock.advance(hours=3)  # 12:00
    record(client, project, "A comment in the current hour.")
    sign_in(client, VIEWER)
    assert sorted(tips(overview(client, "48h"), "verdicts")) == [
        "2026-03-02 09:00 · allow: 1", "2026-03-02 12:00 · allow: 1",
    ]  # fmt: skip
    # A decision the cache would hide if it had kept the (then current) 12:00 hour.
    clock.advance(minutes=30)
    record(client, project, "Another comment in the same hour.")
    clock.advance(hours=2)  # 14:30: 12:00 has closed since the last view

    parsed = overview(client, "48h")

    assert sorted(tips(parsed, "verdicts")) == [
        "2026-03-02 09:00 · allow: 1", "2026-03-02 12:00 · allow: 2",
    ]  # fmt: skip
    # The closed hours are held by the process now: deleting their decisions shows nothing.
    with runtime.database.write() as session:
        for row in session.scalars(select(Decision).where(Decision.project_id == project.id)):
            session.delete(row)
    assert sorted(tips(overview(client, "48h"), "verdicts")) == [
        "2026-03-02 09:00 · allow: 1", "2026-03-02 12:00 · allow: 2",
    ]  # fmt: skip


def test_closed_hours_load_only_what_they_do_not_hold() -> None:
    loads: list[tuple[int, int]] = []

    def load(start: int, stop: int) -> dict[int, HourCounts]:
        loads.append((start, stop))
        return {hour: {"allow": hour} for hour in range(start, stop) if hour % 2 == 0}

    held = ClosedHours()
    first = held.counts(1, range(100, 110), load)
    second = held.counts(1, range(100, 112), load)
    other = held.counts(2, range(100, 101), load)

    assert loads == [(100, 110), (110, 112), (100, 101)]
    assert first[104] == {"allow": 104} and first[105] == {}
    assert second[110] == {"allow": 110} and len(second) == 12
    assert other == {100: {"allow": 100}}


# --- the overview: entities, domains, latency, actions, queues ---------------------------


@pytest.mark.usefixtures("staff")
def test_entities_by_kind_and_top_domains_with_hostile_names_escaped(
    client: TestClient, project: ApiProject, runtime: Runtime, clock: Clock
) -> None:
    record(client, project, "Cheap pills at https://pills-shop.com/buy now, call 555-123-4567")
    record(client, project, "More cheap pills at https://pills-shop.com/more today")
    now = clock()
    with runtime.database.write() as session:
        for value, display, posts in (("x1", HOSTILE_DOMAIN, 9), ("x2", "quiet.example", 1)):
            session.add(Entity(project_id=project.id, kind="domain", value=value, display=display,
                               first_seen_at=now, last_seen_at=now, post_count=posts,
                               user_count=1))  # fmt: skip
    sign_in(client, VIEWER)

    response = client.get("/overview")
    parsed = ChartParser(response.text)

    assert set(tips(parsed, "entities")) == {
        "Domains · entities: 3", "URLs · entities: 2", "Phone numbers · entities: 1",
    }  # fmt: skip
    assert "E-mail addresses" in parsed.texts["entities"]  # an axis label, with no bar
    domains = tips(parsed, "domains")
    assert domains == [
        f"{HOSTILE_DOMAIN} · posts: 9", "pills-shop.com · posts: 2", "quiet.example · posts: 1",
    ]  # fmt: skip
    # The hostile name is text inside the SVG: escaped, never markup.
    html = response.text
    assert "<script>alert(1)</script>" not in html and "<img src=x" not in html
    assert (
        "&lt;script&gt;alert(1)&lt;/script&gt;&#34;&gt;&lt;img src=x onerror=alert(2)&gt;" in html
    )
    assert not parsed.tags & {"script", "img"}
    page = Page(html)
    assert not page.tag_names & {"script", "img"}
    assert not [attrs for _, attrs in page.tags if any(key.startswith("on") for key in attrs)]


@pytest.mark.usefixtures("staff")
def test_latency_percentiles_of_the_last_day(
    client: TestClient, project: ApiProject, runtime: Runtime, clock: Clock
) -> None:
    clock.advance(hours=-30)
    record(client, project, "A decision too old for the latency figures.")
    clock.advance(hours=30)
    for index in range(7):
        record(client, project, f"Comment number {index} about the garden.")
    with runtime.database.write() as session:
        rows = session.scalars(select(Decision).where(Decision.project_id == project.id))
        for index, row in enumerate(sorted(rows, key=lambda r: r.created_at)):
            row.duration_us = 1_000_000.0 if index == 0 else 100.0 * index  # the old one: slow
    sign_in(client, VIEWER)

    parsed = overview(client)

    # Nearest rank of 100..700 µs: p50 is the 4th (400 µs), p99 the 7th (700 µs).
    assert tips(parsed, "latency") == [
        f"median (p50) · latency: {duration(400)}",
        f"99th percentile (p99) · latency: {duration(700)}",
    ]  # fmt: skip
    assert "400 µs" in parsed.texts["latency"]
    html = client.get("/overview").text
    assert "the latest 7 decisions of the last 24 hours" in html


@pytest.mark.usefixtures("staff")
def test_actions_by_kind_and_outcome_and_the_queues(
    client: TestClient, project: ApiProject, other_project: ApiProject, runtime: Runtime,
    clock: Clock,
) -> None:  # fmt: skip
    now = clock()
    finished = [
        ("webhook", "done", 1),
        ("webhook", "done", 2),
        ("webhook", "failed", 3),
        ("ban_user", "done", 4),
        ("notify_admins", "skipped", 5),
        ("webhook", "failed", 30),
    ]  # hours ago; the last is outside the 24 hours
    with runtime.database.write() as session:
        for kind, status, hours in finished:
            session.add(_action(project.id, kind, status, now - timedelta(hours=hours)))
        session.add(_action(project.id, "webhook", "queued", None, now - timedelta(minutes=50)))
        session.add(_action(other_project.id, "webhook", "failed", now))
        reviews.open_new(session, project.id, "held_content", "held", now - timedelta(hours=26),
                         rule="r1")  # fmt: skip
        reviews.open_new(session, project.id, "questionable", "odd", now - timedelta(hours=1),
                         rule="r2")  # fmt: skip
        reviews.open_new(session, other_project.id, "held_content", "x", now - timedelta(days=9),
                         rule="r1")  # fmt: skip
    sign_in(client, VIEWER)

    response = client.get("/overview")
    parsed = ChartParser(response.text)

    assert sorted(tips(parsed, "actions")) == [
        "ban_user · done: 1", "notify_admins · skipped: 1", "webhook · done: 2",
        "webhook · failed: 1",
    ]  # fmt: skip
    assert parsed.legend["actions"] == ["fill-action-done", "fill-action-skipped",
                                        "fill-action-failed"]  # fmt: skip
    page = Page(response.text)
    review_card = _section_text(response.text, "review-queue")
    assert "2 open items" in review_card and "1 day 2 h ago" in review_card
    action_card = _section_text(response.text, "action-queue")
    assert "1 action waiting" in action_card and "50 min ago" in action_card
    assert page.find("a", href="/reviews")


def _action(
    project_id: int, kind: str, status: str, finished_at: object, created_at: object = None
) -> Action:
    when = finished_at or created_at
    return Action(id=new_id(), project_id=project_id, name=kind, kind=kind, params={},
                  requested_by="rule:test", status=status, attempts=1, max_attempts=6,
                  due_at=when, created_at=created_at or when, finished_at=finished_at)  # fmt: skip


def _section_text(html: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}">(.*?)</div>', html, re.S)
    assert match, element_id
    return Page(match.group(1)).text.replace("\n", " ")


@pytest.mark.usefixtures("staff")
def test_an_empty_project_says_there_is_nothing_yet(client: TestClient) -> None:
    sign_in(client, VIEWER)

    response = client.get("/overview")

    assert response.status_code == 200
    assert response.text.count("Nothing to show yet.") == 5
    assert "<svg" not in response.text


@pytest.mark.usefixtures("staff")
def test_the_overview_shows_only_the_project_in_view(
    client: TestClient, project: ApiProject, other_project: ApiProject, runtime: Runtime
) -> None:
    record(client, project, "A comment about https://mine-site.com/page")
    record(client, other_project, "Secret spam at https://theirs-site.com/page")
    record(client, other_project, "More secret spam at https://theirs-site.com/again")
    sign_in(client, VIEWER)  # a viewer of site-a only

    response = client.get("/overview", params={"project": other_project.name})
    parsed = ChartParser(response.text)

    assert "theirs-site.com" not in response.text
    assert tips(parsed, "domains") == ["mine-site.com · posts: 1"]
    assert tips(parsed, "verdicts") == ["2026-03-02 · allow: 1"]


# --- the chart geometry --------------------------------------------------------------------


def test_nice_ticks_cover_the_highest_value_in_round_steps() -> None:
    assert nice_ticks(3) == [0, 1, 2, 3]
    assert nice_ticks(7) == [0, 2, 4, 6, 8]
    assert nice_ticks(2300) == [0, 500, 1000, 1500, 2000, 2500]
    assert nice_ticks(0) == [0.0, 1.0]


def test_stacked_columns_are_as_high_as_their_values() -> None:
    chart = columns("c", "T", "S", ["a", "b"],
                    [Series("x", "fill-x", [2, 0]), Series("y", "fill-y", [2, 1])],
                    Axes("Cat", "Count"), legend=True)  # fmt: skip

    heights = {bar.tip: bar.height for bar in chart.bars}
    assert heights.keys() == {"a · x: 2", "a · y: 2", "b · y: 1"}  # no bar for a zero
    assert math.isclose(heights["a · x: 2"], 2 * heights["b · y: 1"])
    stacked = [bar for bar in chart.bars if bar.tip.startswith("a")]
    assert math.isclose(stacked[0].y, stacked[1].y + stacked[1].height)  # y sits on x
    assert [key.text for key in chart.legend] == ["x", "y"]
    assert chart.table_rows == [["a", "2", "2", "4"], ["b", "0", "1", "1"]]


def test_rows_cut_long_labels_and_keep_them_whole_in_the_tooltip() -> None:
    name = "a-very-long-subdomain-name.of-a-very-long-domain.example"
    chart = rows("r", "T", "S", [name, "b.example"], [Series("posts", "fill-d", [4, 1])],
                 Axes("Domain", "Posts"))  # fmt: skip

    labels = [text for text in chart.texts if text.css == "row-label"]
    assert labels[0].tip == name and labels[0].text.endswith("…") and len(labels[0].text) == 30
    assert labels[1].text == "b.example"
    widths = [bar.width for bar in chart.bars]
    assert math.isclose(widths[0], 4 * widths[1])


# --- settings: reading ------------------------------------------------------------------


@pytest.mark.usefixtures("staff")
@pytest.mark.parametrize("email", [VIEWER, MODERATOR])
def test_settings_are_read_only_below_admin(client: TestClient, email: str) -> None:
    sign_in(client, email)

    response = client.get("/settings")

    assert response.status_code == 200
    page = Page(response.text)
    fieldsets = page.find("fieldset")
    assert len(fieldsets) == 3 and all("disabled" in attrs for attrs in fieldsets)
    for button in ("Save Spam Manager settings", "Save thresholds", "Save remediation", "Rotate"):
        assert button not in response.text
    assert page.find("input", name="window_days", value="14")
    assert "only an admin can change them" in page.text
    for path in ("/settings/api-keys", "/settings/moderators"):
        other = Page(client.get(path).text)
        assert not other.find("form", method="post", action=f"{path}?project=site-a")


@pytest.mark.usefixtures("staff")
def test_settings_show_the_process_configuration_but_never_the_smtp_password(
    client: TestClient,
) -> None:
    sign_in(client, ADMIN)

    response = client.get("/settings")

    assert SMTP_PASSWORD not in response.text
    smtp = _dl_text(response.text, "smtp")
    for shown in ("mail.example.org", "587", "starttls", "alerts@example.org", "configured"):
        assert shown in smtp
    assert "1m" in response.text and "docs/operations.md" in response.text
    windows = re.search(r'<p id="windows">(.*?)</p>', response.text, re.S)
    assert windows and Page(windows.group(1)).text.split(", ") == ["1m", "10m", "1h", "1d"]


def _dl_text(html: str, element_id: str) -> str:
    match = re.search(rf'<dl class="facts" id="{element_id}">(.*?)</dl>', html, re.S)
    assert match
    return Page(match.group(1)).text


# --- settings: the forms ----------------------------------------------------------------


@pytest.mark.usefixtures("staff")
def test_admin_changes_the_spam_manager_settings(
    client: TestClient, project: ApiProject, runtime: Runtime
) -> None:
    sign_in(client, ADMIN)

    response = post(client, "/settings/spam-manager", {
        "duplicate_text_min_chars": "80", "window_days": "7", "ignore_days": "3",
        "retention_days": "60",
    })  # fmt: skip

    assert "Spam Manager settings saved." in flash_after(client, response)
    assert project_settings.get_settings(runtime, project.id).to_json() == {
        "duplicate_text_min_chars": 80, "window_days": 7, "ignore_days": 3, "retention_days": 60,
    }  # fmt: skip
    assert Page(client.get("/settings").text).find("input", name="window_days", value="7")
    api = client.get("/v1/settings", headers=project.headers).json()
    assert api["window_days"] == 7


@pytest.mark.usefixtures("staff")
@pytest.mark.parametrize(
    ("form", "message"),
    [
        pytest.param({"window_days": "0"}, "window_days", id="below-range"),
        pytest.param({"window_days": "366"}, "window_days", id="above-range"),
        pytest.param({"ignore_days": "two"}, "ignore_days", id="not-a-number"),
        pytest.param({"retention_days": "5", "window_days": "10"},
                     "retention_days must be at least window_days", id="retention-below-window"),
        pytest.param({"duplicate_text_min_chars": "5\x00"}, "NUL", id="nul"),
    ],
)  # fmt: skip
def test_wrong_spam_manager_settings_are_refused(
    client: TestClient, project: ApiProject, runtime: Runtime, form: dict[str, str], message: str
) -> None:
    sign_in(client, ADMIN)
    before = project_settings.get_settings(runtime, project.id)

    response = post(client, "/settings/spam-manager", form)

    page = Page(client.get(response.headers["location"]).text)
    assert page.find("p", **{"class": "flash flash-error", "role": "status"})
    assert message in page.text
    assert project_settings.get_settings(runtime, project.id) == before


@pytest.mark.usefixtures("staff")
def test_admin_sets_score_thresholds_in_the_draft_only(
    client: TestClient, project: ApiProject, runtime: Runtime
) -> None:
    sign_in(client, ADMIN)
    live_before = policies.overview(runtime, project.id).live_version
    assert "draft" in client.get("/settings").text

    response = post(client, "/settings/scoring", {
        "threshold_flag": "2.5", "threshold_hold": "8", "threshold_block": "12",
    })  # fmt: skip

    assert "publish it on the Rules page" in flash_after(client, response)
    state = policies.overview(runtime, project.id)
    thresholds = {v.value: t for v, t in state.draft.scoring.thresholds.items()}
    assert thresholds == {"flag": 2.5, "hold": 8, "block": 12}
    assert state.live_version == live_before and state.unpublished_changes
    page = Page(client.get("/settings").text)
    assert page.find("input", name="threshold_hold", value="8")
    assert page.find("input", name="threshold_flag", value="2.5")
    assert page.find("input", name="threshold_challenge", value="")


@pytest.mark.usefixtures("staff")
def test_thresholds_out_of_order_are_refused(
    client: TestClient, project: ApiProject, runtime: Runtime
) -> None:
    sign_in(client, ADMIN)
    before = policies.draft(runtime, project.id).scoring

    response = post(client, "/settings/scoring", {"threshold_hold": "20", "threshold_block": "5"})

    assert "below" in flash_after(client, response)
    assert policies.draft(runtime, project.id).scoring == before


@pytest.mark.usefixtures("staff")
def test_the_first_webhook_shows_its_secret_once_and_rotation_shows_a_new_one(
    client: TestClient, project: ApiProject, runtime: Runtime
) -> None:
    sign_in(client, ADMIN)

    response = post(client, "/settings/remediation", {
        "webhook_url": "https://site.example/spamward",
        "admin_emails": "a@example.org\nb@example.org",
        "admin_webhook_url": "", "rule_actions_per_hour": "50",
    })  # fmt: skip

    assert response.status_code == 200
    first = _secret(response)
    assert first == _stored_secret(runtime, project)
    shown = remediation_settings.get_remediation_settings(runtime, project.id)
    assert shown["webhook_url"] == "https://site.example/spamward"
    assert shown["admin_emails"] == ["a@example.org", "b@example.org"]
    assert shown["rule_actions_per_hour"] == 50 and shown["admin_webhook_url"] is None
    again = client.get("/settings")
    assert first not in again.text and not Page(again.text).find("code", id="webhook-secret")
    assert "Remediation settings saved." not in again.text  # the flash was shown once too

    rotated = post(client, "/settings/webhook-secret", {})

    second = _secret(rotated)
    assert second != first and second == _stored_secret(runtime, project)
    assert second not in client.get("/settings").text


def _secret(response: httpx.Response) -> str:
    match = re.search(r'<code class="secret" id="webhook-secret">([^<]+)</code>', response.text)
    assert match, response.text
    return match.group(1)


def _stored_secret(runtime: Runtime, project: ApiProject) -> str | None:
    with runtime.database.read() as session:
        return session.scalar(select(Project.webhook_secret).where(Project.id == project.id))


@pytest.mark.usefixtures("staff")
def test_unchanged_remediation_settings_change_nothing_and_bad_ones_are_refused(
    client: TestClient, project: ApiProject, runtime: Runtime
) -> None:
    sign_in(client, ADMIN)
    before = remediation_settings.get_remediation_settings(runtime, project.id)
    same = {"webhook_url": "", "admin_emails": "", "admin_webhook_url": "",
            "rule_actions_per_hour": str(before["rule_actions_per_hour"])}  # fmt: skip

    assert "Nothing changed." in flash_after(client, post(client, "/settings/remediation", same))
    for bad in ({"webhook_url": "javascript:alert(1)"}, {"admin_emails": "not-an-address"},
                {"rule_actions_per_hour": "0"}):  # fmt: skip
        text = flash_after(client, post(client, "/settings/remediation", {**same, **bad}))
        assert next(iter(bad)) in text
    assert remediation_settings.get_remediation_settings(runtime, project.id) == before
    assert _stored_secret(runtime, project) is None


# --- settings: who may change --------------------------------------------------------------

ADMIN_POSTS = [
    ("/settings/spam-manager", {"window_days": "3"}),
    ("/settings/scoring", {"threshold_block": "1"}),
    (
        "/settings/remediation",
        {"webhook_url": "https://evil.example/", "rule_actions_per_hour": "1"},
    ),
    ("/settings/webhook-secret", {}),
    ("/settings/api-keys", {"name": "sneaky"}),
    ("/settings/api-keys/1/revoke", {}),
    (
        "/settings/moderators",
        {"email": "x@example.org", "role": "admin", "password": "long enough"},
    ),
    ("/settings/moderators/1/role", {"role": "viewer"}),
    ("/settings/moderators/1/remove", {}),
]


@pytest.fixture
def state(runtime: Runtime, project: ApiProject) -> Iterator[object]:
    """Everything the admin forms could change in the project, to compare before and after."""

    def snapshot() -> object:
        with runtime.database.read() as session:
            project_row = session.get(Project, project.id)
            assert project_row is not None
            return (
                project_settings.get_settings(runtime, project.id),
                policies.draft(runtime, project.id).scoring,
                remediation_settings.get_remediation_settings(runtime, project.id),
                project_row.webhook_secret,
                sorted(
                    (k.name, k.revoked_at is None)
                    for k in session.scalars(select(ApiKey).where(ApiKey.project_id == project.id))
                ),
                sorted(
                    (m.moderator_id, m.role)
                    for m in session.scalars(
                        select(Membership).where(Membership.project_id == project.id)
                    )
                ),
            )

    before = snapshot()
    yield snapshot
    assert snapshot() == before


@pytest.mark.usefixtures("staff", "state")
@pytest.mark.parametrize("email", [VIEWER, MODERATOR])
@pytest.mark.parametrize(("path", "form"), ADMIN_POSTS, ids=[p for p, _ in ADMIN_POSTS])
def test_only_admins_change_settings(
    client: TestClient, email: str, path: str, form: dict[str, str]
) -> None:
    sign_in(client, email)

    response = post(client, path, form)

    assert_forbidden_json(response)


@pytest.mark.usefixtures("staff", "state")
@pytest.mark.parametrize(("path", "form"), ADMIN_POSTS, ids=[p for p, _ in ADMIN_POSTS])
def test_settings_posts_without_the_csrf_token_are_refused(
    client: TestClient, path: str, form: dict[str, str]
) -> None:
    sign_in(client, ADMIN)

    response = client.post(path, data=form, follow_redirects=False)

    assert_forbidden_json(response)


@pytest.mark.usefixtures("staff", "state")
def test_an_admin_here_is_only_a_viewer_there(
    client: TestClient, runtime: Runtime, staff: dict[Role, ModeratorRef], other_project: ApiProject
) -> None:
    grant(runtime, other_project, staff[Role.ADMIN], Role.VIEWER)
    sign_in(client, ADMIN)
    before = project_settings.get_settings(runtime, other_project.id)

    response = client.post(
        f"/settings/spam-manager?project={other_project.name}",
        data={"csrf_token": token_of(client.get("/settings")), "window_days": "3"},
        follow_redirects=False,
    )

    assert_forbidden_json(response)
    assert project_settings.get_settings(runtime, other_project.id) == before


def test_count_axes_step_by_whole_numbers() -> None:
    assert nice_ticks(1, least_step=1) == [0, 1]
    assert nice_ticks(1) == pytest.approx([0, 0.2, 0.4, 0.6, 0.8, 1.0])  # milliseconds may
