"""Remediation end to end: a rule's effects are queued with its decision, and the action
worker runs them against real endpoints (a threaded HTTP receiver, an SMTP server) and the
real database, on SQLite and PostgreSQL. Time moves with the test clock, never by sleeping;
`run_once` runs the claimed actions synchronously."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from spamward.api.schemas import EventIn
from spamward.domain.decision import ListName
from spamward.domain.entity import EntityKind
from spamward.errors import Conflict
from spamward.remediation.signing import (
    EVENT_HEADER,
    IDEMPOTENCY_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    verify_signature,
)
from spamward.remediation.worker import ActionWorker, retry_delay
from spamward.runtime import Runtime, build_runtime
from spamward.services import policies
from spamward.services.actions import (
    ManualTarget,
    action_log,
    get_action,
    remediation_metrics,
    retry_action,
    run_action,
)
from spamward.services.decision_record import DecisionRecord
from spamward.services.decisions import decide
from spamward.services.labels import label_post
from spamward.services.lists import NewEntry, add_to_list
from spamward.services.retention import run_retention
from spamward.settings import Settings
from spamward.storage.models import Actor, ListEntry, Project, ReviewItem
from spamward.storage.repositories import actions as action_repo
from spamward.storage.repositories.actions import LogFilter
from tests.conftest import ApiProject, Clock
from tests.receivers import MailCollector, WebhookReceiver, smtp_server, webhook_receiver

SECRET = "whsec_test-secret-for-the-site"
WORKER = "test-worker"
REFUSED_MAILBOX = "gone@example.org"

MakeRuntime = Callable[..., Runtime]
MakeWorker = Callable[[Runtime], ActionWorker]


# --- fixtures -------------------------------------------------------------------------


@pytest.fixture
def runtime_with(settings: Settings, clock: Clock) -> Iterator[MakeRuntime]:
    """A runtime on the test database and clock with some settings changed."""
    built: list[Runtime] = []

    def make(**updates: Any) -> Runtime:
        runtime = build_runtime(settings.model_copy(update=updates), clock)
        built.append(runtime)
        return runtime

    yield make
    for runtime in built:
        runtime.close()


@pytest.fixture
def workers() -> Iterator[MakeWorker]:
    """Action workers without threads: the test drives them with `run_once`."""
    made: list[ActionWorker] = []

    def make(runtime: Runtime) -> ActionWorker:
        worker = ActionWorker(runtime, concurrency=0, name=WORKER)
        made.append(worker)
        return worker

    yield make
    for worker in made:
        worker.stop()


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with webhook_receiver(SECRET) as running:
        yield running


@pytest.fixture
def smtp() -> Iterator[tuple[MailCollector, int]]:
    with smtp_server(refuse=[REFUSED_MAILBOX]) as running:
        yield running


# --- helpers --------------------------------------------------------------------------


def post(
    runtime: Runtime, project_id: int, text: str, user: str = "u1", email: str | None = None
) -> DecisionRecord:
    actor: dict[str, Any] = {"id": user}
    if email is not None:
        actor["email"] = email
    event_in = EventIn.model_validate({"type": "post", "actor": actor, "content": {"text": text}})
    return decide(runtime, project_id, event_in.to_event(runtime.clock()))


def rule(
    *effects: dict[str, Any], name: str = "casino", word: str = "casino", verdict: str = "block"
) -> dict[str, Any]:
    return {
        "name": name,
        "condition": f'"{word}" in event.text',
        "verdict": verdict,
        "reason": f"{word} spam",
        "effects": list(effects),
    }


def publish(runtime: Runtime, project_id: int, *rules: dict[str, Any]) -> None:
    for raw in rules:
        policies.add_rule(runtime, project_id, raw, "tester")
    policies.publish(runtime, project_id, "tester")


def configure(runtime: Runtime, project_id: int, **values: Any) -> None:
    """Set the project's remediation columns directly (no settings service is assumed)."""
    with runtime.database.write() as session:
        session.execute(update(Project).where(Project.id == project_id).values(**values))


def use_webhook(
    runtime: Runtime, project_id: int, receiver: WebhookReceiver, secret: str = SECRET
) -> None:
    configure(runtime, project_id, webhook_url=receiver.url, webhook_secret=secret)


def drain(worker: ActionWorker) -> int:
    total = 0
    for _ in range(50):
        ran = worker.run_once()
        if ran == 0:
            return total
        total += ran
    raise AssertionError("the action queue never emptied")


def actions(runtime: Runtime, project_id: int, **where: Any) -> list[dict[str, Any]]:
    return action_log(runtime, project_id, LogFilter(**where), limit=100)


def only_action(runtime: Runtime, project_id: int, name: str) -> dict[str, Any]:
    found = actions(runtime, project_id, name=name)
    assert len(found) == 1, found
    return found[0]


def detailed(runtime: Runtime, project_id: int, action: dict[str, Any]) -> dict[str, Any]:
    return get_action(runtime, project_id, uuid.UUID(action["id"]))


def open_reviews(runtime: Runtime, project_id: int, kind: str) -> list[ReviewItem]:
    with runtime.database.read() as session:
        query = select(ReviewItem).where(
            ReviewItem.project_id == project_id,
            ReviewItem.kind == kind,
            ReviewItem.status == "open",
        )
        return list(session.scalars(query.order_by(ReviewItem.created_at)))


def account(runtime: Runtime, project_id: int, user: str) -> Actor | None:
    with runtime.database.read() as session:
        return session.scalar(
            select(Actor).where(Actor.project_id == project_id, Actor.external_id == user)
        )


def list_entry(runtime: Runtime, project_id: int, domain: str) -> ListEntry | None:
    with runtime.database.read() as session:
        return session.scalar(
            select(ListEntry).where(
                ListEntry.project_id == project_id,
                ListEntry.kind == EntityKind.DOMAIN.value,
                ListEntry.value == domain,
            )
        )


def when(value: str | None) -> datetime:
    assert value is not None
    return datetime.fromisoformat(value)


# --- 1. webhook delivery ---------------------------------------------------------------


def test_a_webhook_is_signed_with_the_project_secret_and_describes_the_decision(
    runtime: Runtime, project: ApiProject, receiver: WebhookReceiver, workers: MakeWorker
) -> None:
    use_webhook(runtime, project.id, receiver)
    publish(runtime, project.id, rule({"action": "call_webhook"}))
    record = post(runtime, project.id, "best casino bonus, sign up now")
    assert record.verdict == "block"
    assert receiver.deliveries == []  # queued with the decision, delivered by the worker

    assert workers(runtime).run_once() == 1

    action = only_action(runtime, project.id, "call_webhook")
    assert action["status"] == "done", action
    assert action["result"] == {"webhook": "decision", "status_code": 200}
    [delivery] = receiver.deliveries
    assert delivery.verified is True
    assert delivery.status == 200
    assert delivery.path == "/hook"
    assert delivery.header(EVENT_HEADER) == "decision"
    assert delivery.header(IDEMPOTENCY_HEADER) == action["id"]
    assert delivery.header("Content-Type") == "application/json"
    assert receiver.applied == [action["id"]]

    payload = delivery.json
    assert payload["id"] == action["id"]
    assert payload["project"] == project.name
    assert payload["action"] == "call_webhook"
    assert payload["kind"] == "call_webhook"
    assert payload["params"] == {"event": "decision"}
    assert payload["rule"] == "casino"
    assert payload["requested_by"] == "rule:casino"
    assert payload["user_id"] == "u1"
    assert payload["event"]["id"] == str(record.event_id)
    assert payload["event"]["type"] == "post"
    assert payload["decision"]["id"] == str(record.id)
    assert payload["decision"]["verdict"] == "block"
    assert payload["decision"]["reasons"] == record.trace["reasons"]
    assert any("casino spam" in reason for reason in payload["decision"]["reasons"])
    assert payload["entity"] is None


def test_a_tampered_or_replayed_delivery_fails_verification(
    runtime: Runtime, project: ApiProject, receiver: WebhookReceiver, workers: MakeWorker
) -> None:
    use_webhook(runtime, project.id, receiver)
    publish(runtime, project.id, rule({"action": "call_webhook"}))
    post(runtime, project.id, "casino night for user u1")
    workers(runtime).run_once()
    [delivery] = receiver.deliveries
    stamp = delivery.header(TIMESTAMP_HEADER)
    signature = delivery.header(SIGNATURE_HEADER)
    body = delivery.body
    assert signature.startswith("v1=")
    assert verify_signature(SECRET, stamp, signature, body)

    tampered = body.replace(b'"user_id":"u1"', b'"user_id":"u2"')
    assert tampered != body
    assert not verify_signature(SECRET, stamp, signature, tampered)
    assert not verify_signature("whsec_someone-else", stamp, signature, body)
    assert not verify_signature(SECRET, str(int(stamp) + 1), signature, body)
    # Within the five minutes' tolerance it holds; a replay later is refused.
    assert verify_signature(SECRET, stamp, signature, body, now=int(stamp) + 299)
    assert not verify_signature(SECRET, stamp, signature, body, now=int(stamp) + 301)


def test_a_site_that_cannot_verify_the_signature_refuses_and_the_action_is_retried(
    runtime: Runtime, project: ApiProject, receiver: WebhookReceiver, workers: MakeWorker
) -> None:
    use_webhook(runtime, project.id, receiver, secret="whsec_rotated-on-our-side-only")
    publish(runtime, project.id, rule({"action": "call_webhook"}))
    post(runtime, project.id, "casino")

    workers(runtime).run_once()

    [delivery] = receiver.deliveries
    assert delivery.verified is False
    assert delivery.status == 401
    assert receiver.applied == []
    action = only_action(runtime, project.id, "call_webhook")
    assert action["status"] == "queued"
    assert "HTTP 401" in action["error"]


def test_each_site_action_names_its_webhook_event(
    runtime: Runtime, project: ApiProject, receiver: WebhookReceiver, workers: MakeWorker
) -> None:
    expected = {
        "call_webhook": "spam.found",
        "hide_content": "content.hide",
        "delete_content": "content.delete",
        "notify_user": "user.notify",
    }
    use_webhook(runtime, project.id, receiver)
    publish(
        runtime,
        project.id,
        rule(
            {"action": "call_webhook", "params": {"event": "spam.found"}},
            {"action": "hide_content"},
            {"action": "delete_content"},
            {"action": "notify_user", "params": {"channel": "webhook"}},
        ),
    )
    post(runtime, project.id, "casino")

    assert drain(workers(runtime)) == 4

    assert len(receiver.deliveries) == 4
    sent = {d.json["action"]: d.header(EVENT_HEADER) for d in receiver.deliveries}
    assert sent == expected
    assert [a["status"] for a in actions(runtime, project.id)] == ["done"] * 4
    assert len({d.key for d in receiver.deliveries}) == 4  # a key per action


def test_a_shadow_rules_effects_are_not_queued(
    runtime: Runtime, project: ApiProject, workers: MakeWorker
) -> None:
    watched = {**rule({"action": "ban_user"}), "mode": "shadow"}
    publish(runtime, project.id, watched, rule({"action": "escalate"}, name="lottery", word="win"))

    post(runtime, project.id, "casino", user="u1")
    assert actions(runtime, project.id) == []
    post(runtime, project.id, "casino win", user="u1")  # an active rule's effects still run
    assert [a["name"] for a in actions(runtime, project.id)] == ["escalate"]
    assert drain(workers(runtime)) == 1
    stored = account(runtime, project.id, "u1")
    assert stored is not None
    assert stored.status == "active"


def test_without_a_webhook_url_a_site_action_is_skipped_with_the_reason(
    runtime: Runtime, project: ApiProject, workers: MakeWorker
) -> None:
    publish(runtime, project.id, rule({"action": "call_webhook"}))
    post(runtime, project.id, "casino")

    workers(runtime).run_once()

    action = only_action(runtime, project.id, "call_webhook")
    assert action["status"] == "skipped"
    assert action["result"] == {"reason": "the project has no webhook URL"}


# --- 2. retries with backoff -----------------------------------------------------------


def test_retry_delay_doubles_per_attempt_within_half_to_full_and_is_capped() -> None:
    low, high = (lambda: 0.0), (lambda: 1.0)
    for attempt in range(1, 6):
        full = 10.0 * 2 ** (attempt - 1)
        assert retry_delay(attempt, 10, 3600, low) == full / 2
        assert retry_delay(attempt, 10, 3600, high) == full
        assert full / 2 < retry_delay(attempt, 10, 3600, lambda: 0.5) < full
    assert retry_delay(20, 10, 3600, high) == 3600
    assert retry_delay(20, 10, 3600, low) == 1800


def test_a_failing_webhook_is_retried_with_backoff_under_one_idempotency_key(
    runtime_with: MakeRuntime,
    project: ApiProject,
    receiver: WebhookReceiver,
    workers: MakeWorker,
    clock: Clock,
) -> None:
    runtime = runtime_with(action_retry_base_seconds=10, action_retry_max_seconds=3600)
    receiver.answer(500, 500, then=200)
    receiver.apply_before_answer = True  # the site did the work, then failed to answer 2xx
    use_webhook(runtime, project.id, receiver)
    publish(runtime, project.id, rule({"action": "call_webhook"}))
    start = clock()
    post(runtime, project.id, "casino")
    worker = workers(runtime)
    jitters = iter([0.0, 1.0])
    worker.jitter = lambda: next(jitters)

    assert worker.run_once() == 1
    action = only_action(runtime, project.id, "call_webhook")
    assert action["status"] == "queued"
    assert action["attempts"] == 1
    assert "HTTP 500" in action["error"]
    first_retry = start + timedelta(seconds=5)  # 10 s · 2^0 · (0.5 + 0/2)
    assert when(action["due_at"]) == first_retry

    assert worker.run_once() == 0  # not due yet
    clock.advance(seconds=4.9)
    assert worker.run_once() == 0
    clock.advance(seconds=0.1)
    assert worker.run_once() == 1  # due now: the second attempt fails too

    action = only_action(runtime, project.id, "call_webhook")
    assert action["status"] == "queued"
    assert action["attempts"] == 2
    second_retry = first_retry + timedelta(seconds=20)  # 10 s · 2^1 · (0.5 + 1/2)
    assert when(action["due_at"]) == second_retry
    clock.advance(seconds=19.999)
    assert worker.run_once() == 0
    clock.advance(seconds=0.001)
    assert worker.run_once() == 1
    assert worker.run_once() == 0

    shown = detailed(runtime, project.id, action)
    assert shown["status"] == "done"
    assert shown["attempts"] == 3
    assert shown["error"] is None
    assert shown["due_at"] is None
    assert when(shown["finished_at"]) == second_retry
    log = shown["attempt_log"]
    assert [a["number"] for a in log] == [1, 2, 3]
    assert [a["outcome"] for a in log] == ["error", "error", "done"]
    assert [when(a["started_at"]) for a in log] == [start, first_retry, second_retry]
    assert all("HTTP 500" in a["error"] for a in log[:2])
    assert log[2]["error"] is None
    assert {a["worker"] for a in log} == {WORKER}

    assert [d.status for d in receiver.deliveries] == [500, 500, 200]
    assert {d.key for d in receiver.deliveries} == {action["id"]}
    assert len({d.body for d in receiver.deliveries}) == 1  # the same payload each time
    assert all(d.verified for d in receiver.deliveries)
    assert receiver.applied == [action["id"]]  # three deliveries, one effect

    figures = remediation_metrics(runtime, project.id, start)["by_kind"]["call_webhook"]
    assert (figures["done"], figures["failed"], figures["retries"]) == (1, 0, 2)
    assert figures["mean_seconds_to_remediate"] == 25.0  # from the event to its webhook


def test_with_random_jitter_each_retry_waits_half_to_all_of_its_backoff(
    runtime_with: MakeRuntime,
    project: ApiProject,
    receiver: WebhookReceiver,
    workers: MakeWorker,
    clock: Clock,
) -> None:
    runtime = runtime_with(action_retry_base_seconds=4, action_max_attempts=5)
    receiver.answer(then=503)
    use_webhook(runtime, project.id, receiver)
    publish(runtime, project.id, rule({"action": "call_webhook"}))
    post(runtime, project.id, "casino")
    worker = workers(runtime)

    for attempt in range(1, 5):
        now = clock()
        assert worker.run_once() == 1
        action = only_action(runtime, project.id, "call_webhook")
        assert action["status"] == "queued"
        waited = (when(action["due_at"]) - now).total_seconds()
        full = 4 * 2 ** (attempt - 1)
        assert 0.5 * full <= waited <= full, (attempt, waited)
        clock.advance(seconds=waited)
    assert worker.run_once() == 1
    assert only_action(runtime, project.id, "call_webhook")["status"] == "failed"
    assert len(receiver.deliveries) == 5


def test_an_action_whose_worker_died_is_taken_over_when_its_lease_runs_out(
    runtime: Runtime,
    project: ApiProject,
    receiver: WebhookReceiver,
    workers: MakeWorker,
    clock: Clock,
) -> None:
    use_webhook(runtime, project.id, receiver)
    publish(runtime, project.id, rule({"action": "call_webhook"}))
    post(runtime, project.id, "casino")
    lease = runtime.settings.action_lease_seconds
    with runtime.database.write() as session:  # a worker claims it, then dies
        [claimed] = action_repo.claim(session, "dead-worker", clock(), lease, 10)
    worker = workers(runtime)

    assert worker.run_once() == 0  # still leased
    clock.advance(seconds=lease - 1)
    assert worker.run_once() == 0
    clock.advance(seconds=1)
    assert worker.run_once() == 1

    shown = get_action(runtime, project.id, claimed.id)
    assert shown["status"] == "done"
    assert shown["attempts"] == 2
    log = shown["attempt_log"]
    assert [(a["worker"], a["outcome"]) for a in log] == [("dead-worker", "lost"), (WORKER, "done")]
    assert [d.key for d in receiver.deliveries] == [str(claimed.id)]
    with runtime.database.write() as session:  # the dead worker's late answer is refused
        late = action_repo.Finish(action_repo.DONE, clock(), result={"late": True})
        assert not action_repo.finish(session, claimed.id, "dead-worker", 1, late)
    assert detailed(runtime, project.id, shown)["result"] == {
        "webhook": "decision",
        "status_code": 200,
    }


# --- 3. failure opens a review item, and a retry can succeed ---------------------------


def test_an_action_failing_every_attempt_fails_opens_a_review_item_and_can_be_retried(
    runtime_with: MakeRuntime,
    project: ApiProject,
    receiver: WebhookReceiver,
    workers: MakeWorker,
    clock: Clock,
) -> None:
    runtime = runtime_with(action_max_attempts=3, action_retry_base_seconds=1)
    receiver.answer(then=500)
    use_webhook(runtime, project.id, receiver)
    publish(runtime, project.id, rule({"action": "call_webhook"}))
    record = post(runtime, project.id, "casino")
    worker = workers(runtime)

    for attempt in range(1, 4):
        assert open_reviews(runtime, project.id, "action_failed") == [], attempt
        assert worker.run_once() == 1
        clock.advance(minutes=5)
    assert worker.run_once() == 0  # no fourth attempt

    action = only_action(runtime, project.id, "call_webhook")
    assert action["status"] == "failed"
    assert (action["attempts"], action["max_attempts"]) == (3, 3)
    assert "HTTP 500" in action["error"]
    assert action["finished_at"] is not None
    assert action["due_at"] is None
    assert len(receiver.deliveries) == 3
    assert receiver.applied == []
    [item] = open_reviews(runtime, project.id, "action_failed")
    assert item.action_id == uuid.UUID(action["id"])
    assert item.event_id == record.event_id
    assert item.decision_id == record.id
    assert item.user_id == "u1"
    assert item.rule == "casino"
    assert "after 3 attempt" in item.summary
    assert "HTTP 500" in item.summary

    receiver.answer(then=200)  # the site is back
    shown = retry_action(runtime, project.id, uuid.UUID(action["id"]), "mod@example.org")
    assert shown["status"] == "queued"
    assert shown["max_attempts"] == 6  # as many attempts again
    assert worker.run_once() == 1

    after = detailed(runtime, project.id, action)
    assert after["status"] == "done"
    assert after["attempts"] == 4
    assert after["error"] is None
    assert [a["outcome"] for a in after["attempt_log"]] == ["error"] * 3 + ["done"]
    assert {d.key for d in receiver.deliveries} == {action["id"]}
    assert receiver.applied == [action["id"]]
    with pytest.raises(Conflict):
        retry_action(runtime, project.id, uuid.UUID(action["id"]), "mod@example.org")


# --- 4. e-mail --------------------------------------------------------------------------


def test_notify_user_mails_the_user_with_the_reason_and_a_reference(
    runtime_with: MakeRuntime,
    project: ApiProject,
    smtp: tuple[MailCollector, int],
    workers: MakeWorker,
) -> None:
    collector, port = smtp
    runtime = runtime_with(smtp_host="127.0.0.1", smtp_port=port, smtp_from="guard@site.org")
    publish(runtime, project.id, rule({"action": "notify_user"}))
    record = post(runtime, project.id, "casino", email="u1@example.org")

    assert workers(runtime).run_once() == 1

    action = only_action(runtime, project.id, "notify_user")
    assert action["status"] == "done", action
    assert action["result"] == {"emailed": "u1@example.org"}
    [mail] = collector.messages
    assert mail.mail_from == "guard@site.org"
    assert mail.rcpt_tos == ["u1@example.org"]
    assert mail.message["To"] == "u1@example.org"
    assert mail.message["From"] == "guard@site.org"
    assert mail.message["Subject"] == f"About your post on {project.name}"
    [reason] = [r for r in record.trace["reasons"] if "casino spam" in r]
    assert f"Why: {reason}" in mail.body
    assert action["id"] in mail.body
    assert action["id"] in mail.message["Message-ID"]


def test_notify_admins_mails_every_admin_and_calls_the_admin_webhook(
    runtime_with: MakeRuntime,
    project: ApiProject,
    smtp: tuple[MailCollector, int],
    receiver: WebhookReceiver,
    workers: MakeWorker,
) -> None:
    collector, port = smtp
    runtime = runtime_with(smtp_host="127.0.0.1", smtp_port=port)
    configure(
        runtime,
        project.id,
        admin_emails="mod1@example.org, mod2@example.org,",
        admin_webhook_url=receiver.url,
        webhook_secret=SECRET,
    )
    publish(runtime, project.id, rule({"action": "notify_admins"}))
    record = post(runtime, project.id, "casino")

    assert workers(runtime).run_once() == 1

    action = only_action(runtime, project.id, "notify_admins")
    assert action["status"] == "done", action
    assert action["result"]["emailed"] == ["mod1@example.org", "mod2@example.org"]
    assert action["result"]["webhook"] == "admin.notify"
    [mail] = collector.messages
    assert sorted(mail.rcpt_tos) == ["mod1@example.org", "mod2@example.org"]
    assert mail.message["To"] == "mod1@example.org, mod2@example.org"
    assert mail.message["Subject"] == f"[spamward] {project.name}: casino acted on u1"
    assert "casino spam" in mail.body
    assert f"Event:     {record.event_id}" in mail.body
    assert f"Reference: {action['id']}" in mail.body
    assert action["id"] in mail.message["Message-ID"]
    [delivery] = receiver.deliveries
    assert delivery.verified is True
    assert delivery.header(EVENT_HEADER) == "admin.notify"
    assert delivery.key == action["id"]


def test_without_smtp_mail_actions_are_skipped_and_say_why(
    runtime: Runtime, project: ApiProject, workers: MakeWorker
) -> None:
    assert runtime.settings.smtp_host is None
    configure(runtime, project.id, admin_emails="mod1@example.org")
    publish(runtime, project.id, rule({"action": "notify_user"}, {"action": "notify_admins"}))
    post(runtime, project.id, "casino", email="u1@example.org")

    assert drain(workers(runtime)) == 2

    user = only_action(runtime, project.id, "notify_user")
    assert user["status"] == "skipped"
    assert user["result"] == {"reason": "SMTP is not configured"}
    admins = only_action(runtime, project.id, "notify_admins")
    assert admins["status"] == "skipped"
    assert "no admin e-mail (with SMTP)" in admins["result"]["reason"]


def test_notify_user_without_a_known_address_is_skipped(
    runtime_with: MakeRuntime,
    project: ApiProject,
    smtp: tuple[MailCollector, int],
    workers: MakeWorker,
) -> None:
    collector, port = smtp
    runtime = runtime_with(smtp_host="127.0.0.1", smtp_port=port)
    publish(runtime, project.id, rule({"action": "notify_user"}))
    post(runtime, project.id, "casino")  # no e-mail given

    workers(runtime).run_once()

    action = only_action(runtime, project.id, "notify_user")
    assert action["status"] == "skipped"
    assert "no e-mail address" in action["result"]["reason"]
    assert collector.messages == []


def test_a_refused_recipient_fails_the_action_at_once(
    runtime_with: MakeRuntime,
    project: ApiProject,
    smtp: tuple[MailCollector, int],
    workers: MakeWorker,
) -> None:
    collector, port = smtp
    runtime = runtime_with(smtp_host="127.0.0.1", smtp_port=port)
    publish(runtime, project.id, rule({"action": "notify_user"}))
    post(runtime, project.id, "casino", email=REFUSED_MAILBOX)

    assert workers(runtime).run_once() == 1

    action = only_action(runtime, project.id, "notify_user")
    assert action["status"] == "failed"  # retrying cannot make the mailbox exist
    assert action["attempts"] == 1
    assert REFUSED_MAILBOX in action["error"]
    assert collector.messages == []
    [item] = open_reviews(runtime, project.id, "action_failed")
    assert item.action_id == uuid.UUID(action["id"])


def test_a_retried_notification_mails_again_under_the_same_message_id(
    runtime_with: MakeRuntime,
    project: ApiProject,
    smtp: tuple[MailCollector, int],
    receiver: WebhookReceiver,
    workers: MakeWorker,
    clock: Clock,
) -> None:
    collector, port = smtp
    runtime = runtime_with(smtp_host="127.0.0.1", smtp_port=port)
    configure(
        runtime,
        project.id,
        admin_emails="mod1@example.org",
        admin_webhook_url=receiver.url,
        webhook_secret=SECRET,
    )
    receiver.answer(500, then=200)  # the mail goes out, then the admin webhook fails once
    publish(runtime, project.id, rule({"action": "notify_admins"}))
    post(runtime, project.id, "casino")
    worker = workers(runtime)

    assert worker.run_once() == 1
    clock.advance(hours=1)
    assert worker.run_once() == 1

    action = only_action(runtime, project.id, "notify_admins")
    assert action["status"] == "done"
    assert action["attempts"] == 2
    first, second = collector.messages  # the retry sends the mail again
    assert action["id"] in first.message["Message-ID"]
    assert action["id"] in second.message["Message-ID"]
    assert first.message["Message-ID"] == second.message["Message-ID"]


# --- 5. account actions -----------------------------------------------------------------


def test_ban_user_blocks_the_users_later_posts(
    runtime: Runtime, project: ApiProject, workers: MakeWorker
) -> None:
    publish(runtime, project.id, rule({"action": "ban_user"}))
    post(runtime, project.id, "casino", user="u1")
    assert post(runtime, project.id, "hello", user="u1").verdict == "allow"  # not run yet

    assert workers(runtime).run_once() == 1

    action = only_action(runtime, project.id, "ban_user")
    assert action["status"] == "done"
    assert action["result"] == {"status": "banned", "until": None}
    later = post(runtime, project.id, "hello again", user="u1")
    assert later.verdict == "block"
    assert any("banned" in reason for reason in later.trace["reasons"])
    assert later.trace["signals"]["actor_status"] == "banned"
    assert post(runtime, project.id, "hello", user="u2").verdict == "allow"


SUSPENDED_RULE = {  # the project's own: whether the default policy has one may change
    "name": "block_suspended",
    "condition": 'actor.status == "suspended"',
    "verdict": "block",
    "reason": "the account is suspended",
}


def test_a_suspension_ends_after_its_duration(
    runtime: Runtime, project: ApiProject, workers: MakeWorker, clock: Clock
) -> None:
    publish(
        runtime,
        project.id,
        rule({"action": "suspend_user", "params": {"duration": "1h"}}),
        SUSPENDED_RULE,
    )
    start = clock()
    post(runtime, project.id, "casino", user="u1")

    assert workers(runtime).run_once() == 1

    ends = start + timedelta(hours=1)
    action = only_action(runtime, project.id, "suspend_user")
    assert action["params"] == {"duration": 3600}
    assert action["result"] == {"status": "suspended", "until": ends.isoformat()}
    stored = account(runtime, project.id, "u1")
    assert stored is not None
    assert (stored.status, stored.status_until) == ("suspended", ends)
    during = post(runtime, project.id, "hello", user="u1")
    assert during.verdict == "block"
    assert during.trace["signals"]["actor_status"] == "suspended"
    assert any("suspended" in reason for reason in during.trace["reasons"])
    assert post(runtime, project.id, "hello", user="u2").verdict == "allow"

    clock.advance(minutes=59)
    assert post(runtime, project.id, "hello", user="u1").verdict == "block"
    clock.advance(hours=2)
    after = post(runtime, project.id, "hello", user="u1")
    assert after.verdict == "allow"
    assert after.trace["signals"]["actor_status"] == "active"
    assert not any("suspended" in reason for reason in after.trace["reasons"])


def test_an_automatic_quarantine_never_lowers_a_ban_but_a_moderator_may(
    runtime: Runtime, project: ApiProject, workers: MakeWorker
) -> None:
    publish(
        runtime,
        project.id,
        rule({"action": "ban_user"}),
        rule({"action": "quarantine_user"}, name="lottery", word="lottery", verdict="flag"),
    )
    worker = workers(runtime)
    post(runtime, project.id, "casino", user="u1")
    drain(worker)
    post(runtime, project.id, "lottery", user="u1")

    assert drain(worker) == 1

    quarantine = only_action(runtime, project.id, "quarantine_user")
    assert quarantine["status"] == "skipped"
    assert quarantine["result"] == {"reason": "the account is already banned"}
    stored = account(runtime, project.id, "u1")
    assert stored is not None
    assert stored.status == "banned"

    run_action(runtime, project.id, "quarantine_user", ManualTarget(user_id="u1"), "mod@x.org")
    assert drain(worker) == 1
    stored = account(runtime, project.id, "u1")
    assert stored is not None
    assert stored.status == "quarantined"


def test_an_automatic_quarantine_applies_once_a_suspension_is_over(
    runtime: Runtime, project: ApiProject, workers: MakeWorker, clock: Clock
) -> None:
    publish(
        runtime,
        project.id,
        rule({"action": "suspend_user", "params": {"duration": "1h"}}),
        rule({"action": "quarantine_user"}, name="lottery", word="lottery", verdict="flag"),
    )
    worker = workers(runtime)
    post(runtime, project.id, "casino", user="u1")
    drain(worker)
    post(runtime, project.id, "lottery", user="u1")
    drain(worker)
    assert only_action(runtime, project.id, "quarantine_user")["status"] == "skipped"

    clock.advance(hours=2)
    post(runtime, project.id, "lottery again", user="u1")
    drain(worker)

    statuses = [a["status"] for a in actions(runtime, project.id, name="quarantine_user")]
    assert statuses == ["done", "skipped"]  # newest first
    stored = account(runtime, project.id, "u1")
    assert stored is not None
    assert (stored.status, stored.status_until) == ("quarantined", None)


def test_rate_limit_user_rate_limits_until_its_duration_ends(
    runtime: Runtime, project: ApiProject, workers: MakeWorker, clock: Clock
) -> None:
    slow_down = {
        "name": "slow_down",
        "condition": "actor.rate_limited",
        "verdict": "rate_limit",
        "retry_after_seconds": 60,
    }
    publish(
        runtime,
        project.id,
        rule({"action": "rate_limit_user", "params": {"duration": "10m"}}, verdict="flag"),
        slow_down,
    )
    post(runtime, project.id, "casino", user="u1")
    workers(runtime).run_once()

    stored = account(runtime, project.id, "u1")
    assert stored is not None
    assert stored.rate_limited_until == clock() + timedelta(minutes=10)
    assert post(runtime, project.id, "hello", user="u1").verdict == "rate_limit"
    assert post(runtime, project.id, "hello", user="u2").verdict == "allow"
    clock.advance(minutes=10, seconds=1)
    assert post(runtime, project.id, "hello", user="u1").verdict == "allow"


# --- 6. deny_entity on probation --------------------------------------------------------


@pytest.mark.parametrize(("params", "days"), [({}, 7), ({"probation_days": 3}, 3)])
def test_deny_entity_denies_the_posts_domain_on_probation(
    runtime: Runtime,
    project: ApiProject,
    workers: MakeWorker,
    clock: Clock,
    params: dict[str, Any],
    days: int,
) -> None:
    publish(runtime, project.id, rule({"action": "deny_entity", "params": params}))
    post(runtime, project.id, "casino at http://spam-casino.com/x")
    assert list_entry(runtime, project.id, "spam-casino.com") is None
    clock.advance(seconds=1)  # the worker runs just after the decision

    assert workers(runtime).run_once() == 1

    action = only_action(runtime, project.id, "deny_entity")
    assert action["status"] == "done", action
    assert action["entity"] == {"kind": "domain", "value": "spam-casino.com"}
    entry = list_entry(runtime, project.id, "spam-casino.com")
    assert entry is not None
    assert entry.list == "deny"
    assert entry.probation is True
    assert entry.expires_at == clock() + timedelta(days=days)
    assert action["result"] == {"listed": "deny", "probation_until": entry.expires_at.isoformat()}
    later = post(runtime, project.id, "visit http://spam-casino.com/other", user="u2")
    assert later.verdict == "block"
    assert any(reason.startswith("deny_list") for reason in later.trace["reasons"])


def test_a_domain_allowed_before_the_action_runs_is_not_denied_and_a_moderator_is_asked(
    runtime: Runtime, project: ApiProject, workers: MakeWorker
) -> None:
    publish(runtime, project.id, rule({"action": "deny_entity"}))
    record = post(runtime, project.id, "casino at http://good-site.com/page")
    add_to_list(
        runtime, project.id, ListName.ALLOW, NewEntry(EntityKind.DOMAIN, "good-site.com"), "mod"
    )

    assert workers(runtime).run_once() == 1

    action = only_action(runtime, project.id, "deny_entity")
    assert action["status"] == "skipped"
    assert action["result"]["reason"] == "it is on the allow list"
    entry = list_entry(runtime, project.id, "good-site.com")
    assert entry is not None
    assert entry.list == "allow"
    [item] = open_reviews(runtime, project.id, "questionable")
    assert str(item.id) == action["result"]["review_item"]
    assert item.event_id == record.event_id
    assert "good-site.com" in item.summary


def test_a_domain_on_the_allow_list_when_the_rule_hits_gets_no_deny_action(
    runtime: Runtime, project: ApiProject, workers: MakeWorker
) -> None:
    add_to_list(
        runtime, project.id, ListName.ALLOW, NewEntry(EntityKind.DOMAIN, "good-site.com"), "mod"
    )
    publish(runtime, project.id, rule({"action": "deny_entity"}))
    post(runtime, project.id, "casino http://good-site.com/a and http://spam-casino.com/b")

    assert drain(workers(runtime)) == 1

    [action] = actions(runtime, project.id, name="deny_entity")
    assert action["entity"] == {"kind": "domain", "value": "spam-casino.com"}
    allowed = list_entry(runtime, project.id, "good-site.com")
    assert allowed is not None
    assert allowed.list == "allow"


def test_a_domain_in_a_post_labelled_not_spam_is_refused(
    runtime: Runtime, project: ApiProject, workers: MakeWorker
) -> None:
    publish(runtime, project.id, rule({"action": "deny_entity"}))
    ham = post(runtime, project.id, "my blog http://ham-blog.org/post", user="u2")
    assert ham.verdict == "allow"
    assert ham.event_id is not None
    label_post(runtime, project.id, ham.event_id, spam=False, who="mod@example.org")
    post(runtime, project.id, "casino http://ham-blog.org/win")

    assert workers(runtime).run_once() == 1

    action = only_action(runtime, project.id, "deny_entity")
    assert action["status"] == "skipped"
    assert "labelled not spam" in action["result"]["reason"]
    assert list_entry(runtime, project.id, "ham-blog.org") is None
    [item] = open_reviews(runtime, project.id, "questionable")
    assert "ham-blog.org" in item.summary


def test_a_widely_used_domain_is_refused(
    runtime: Runtime, project: ApiProject, workers: MakeWorker
) -> None:
    publish(runtime, project.id, rule({"action": "deny_entity", "params": {"max_users": 3}}))
    for user in ("u2", "u3"):
        assert (
            post(runtime, project.id, "see http://popular-site.net", user=user).verdict == "allow"
        )
    post(runtime, project.id, "casino http://popular-site.net/win")

    workers(runtime).run_once()

    action = only_action(runtime, project.id, "deny_entity")
    assert action["status"] == "skipped"
    assert "widely used" in action["result"]["reason"]
    assert list_entry(runtime, project.id, "popular-site.net") is None


def test_an_ignored_domain_is_not_denied(
    runtime: Runtime, project: ApiProject, workers: MakeWorker
) -> None:
    add_to_list(
        runtime, project.id, ListName.IGNORE, NewEntry(EntityKind.DOMAIN, "meh-site.io"), "mod"
    )
    publish(runtime, project.id, rule({"action": "deny_entity"}))
    post(runtime, project.id, "casino http://meh-site.io/x")

    workers(runtime).run_once()

    action = only_action(runtime, project.id, "deny_entity")
    assert action["status"] == "skipped"
    assert "ignores" in action["result"]["reason"]
    entry = list_entry(runtime, project.id, "meh-site.io")
    assert entry is not None
    assert entry.list == "ignore"


def test_a_denial_still_in_use_is_made_permanent_and_an_unused_one_lapses(
    runtime: Runtime, project: ApiProject, workers: MakeWorker, clock: Clock
) -> None:
    publish(runtime, project.id, rule({"action": "deny_entity"}))
    post(runtime, project.id, "casino http://spam-casino.com/a and http://other-spam.net/b")
    clock.advance(seconds=1)
    assert drain(workers(runtime)) == 2
    listed_at = clock()

    clock.advance(days=6.5)
    again = post(runtime, project.id, "again http://spam-casino.com/c", user="u3")
    assert again.verdict == "block"
    report = run_retention(runtime)

    assert report.denials_promoted == 1
    kept = list_entry(runtime, project.id, "spam-casino.com")
    assert kept is not None
    assert (kept.list, kept.expires_at, kept.probation) == ("deny", None, False)
    waiting = list_entry(runtime, project.id, "other-spam.net")
    assert waiting is not None
    assert waiting.probation is True
    assert waiting.expires_at == listed_at + timedelta(days=7)

    clock.advance(days=1)  # past the unused denial's probation
    assert run_retention(runtime).denials_promoted == 0
    assert list_entry(runtime, project.id, "other-spam.net") is None
    assert list_entry(runtime, project.id, "spam-casino.com") is not None
    assert post(runtime, project.id, "http://other-spam.net/d", user="u4").verdict != "block"
    assert post(runtime, project.id, "http://spam-casino.com/e", user="u4").verdict == "block"


def test_a_denial_whose_post_was_labelled_not_spam_is_not_promoted(
    runtime: Runtime, project: ApiProject, workers: MakeWorker, clock: Clock
) -> None:
    publish(runtime, project.id, rule({"action": "deny_entity"}))
    post(runtime, project.id, "casino http://spam-casino.com/a")
    clock.advance(seconds=1)
    drain(workers(runtime))
    clock.advance(days=6.5)
    again = post(runtime, project.id, "my own site http://spam-casino.com/c", user="u3")
    assert again.event_id is not None
    label_post(runtime, project.id, again.event_id, spam=False, who="mod@example.org")

    assert run_retention(runtime).denials_promoted == 0

    entry = list_entry(runtime, project.id, "spam-casino.com")
    assert entry is not None
    assert entry.probation is True
    assert entry.expires_at is not None


# --- 7. escalate and held content -------------------------------------------------------


@pytest.mark.parametrize("reason", ["check this seller", ""])
def test_escalate_opens_a_questionable_review_item(
    runtime: Runtime, project: ApiProject, workers: MakeWorker, reason: str
) -> None:
    params = {"reason": reason} if reason else {}
    publish(runtime, project.id, rule({"action": "escalate", "params": params}))
    record = post(runtime, project.id, "casino")
    assert open_reviews(runtime, project.id, "questionable") == []

    assert workers(runtime).run_once() == 1

    action = only_action(runtime, project.id, "escalate")
    assert action["status"] == "done"
    [item] = open_reviews(runtime, project.id, "questionable")
    assert action["result"] == {"review_item": str(item.id)}
    if reason:
        assert item.summary == reason
    else:  # the decision's reasons stand in
        assert item.summary == "; ".join(record.trace["reasons"])
        assert "casino spam" in item.summary
    assert (item.event_id, item.decision_id, item.user_id) == (record.event_id, record.id, "u1")


def test_a_hold_opens_one_held_content_item_per_event(
    runtime: Runtime, project: ApiProject, receiver: WebhookReceiver, workers: MakeWorker
) -> None:
    use_webhook(runtime, project.id, receiver)
    publish(
        runtime,
        project.id,
        rule({"action": "hold_content"}, verdict="hold"),
        rule(name="lottery", word="lottery", verdict="hold"),  # a hold with no effects
    )
    first = post(runtime, project.id, "casino", user="u1")
    assert first.verdict == "hold"

    [item] = open_reviews(runtime, project.id, "held_content")  # opened with the decision
    assert item.event_id == first.event_id
    assert item.summary.startswith("held: ")
    assert "casino spam" in item.summary

    assert workers(runtime).run_once() == 1  # hold_content finds the same item

    action = only_action(runtime, project.id, "hold_content")
    assert action["status"] == "done"
    assert action["result"]["review_item"] == str(item.id)
    assert action["result"]["webhook"] == "content.hold"
    assert [d.header(EVENT_HEADER) for d in receiver.deliveries] == ["content.hold"]
    assert len(open_reviews(runtime, project.id, "held_content")) == 1

    second = post(runtime, project.id, "lottery", user="u2")
    assert second.verdict == "hold"
    assert actions(runtime, project.id, event_id=second.event_id) == []
    items = open_reviews(runtime, project.id, "held_content")
    assert [i.event_id for i in items] == [first.event_id, second.event_id]


# --- 8. a rule's actions per hour -------------------------------------------------------


def test_a_rule_past_its_actions_per_hour_is_skipped_and_reviewed_once(
    runtime: Runtime, project: ApiProject, workers: MakeWorker, clock: Clock
) -> None:
    configure(runtime, project.id, rule_actions_per_hour=2)
    publish(runtime, project.id, rule({"action": "ban_user"}))
    worker = workers(runtime)

    for user in ("u1", "u2", "u3", "u4"):
        post(runtime, project.id, "casino", user=user)
        assert worker.run_once() == 1

    by_user = {a["user_id"]: a for a in actions(runtime, project.id, name="ban_user")}
    assert [by_user[u]["status"] for u in ("u1", "u2", "u3", "u4")] == [
        "done",
        "done",
        "skipped",
        "skipped",
    ]
    assert by_user["u3"]["result"]["reason"] == "the rule reached its actions per hour"
    for user, status in (("u2", "banned"), ("u3", "active")):
        stored = account(runtime, project.id, user)
        assert stored is not None
        assert stored.status == status
    [item] = open_reviews(runtime, project.id, "rule_exhausted")
    assert item.rule == "casino"
    assert (item.event_id, item.user_id) == (None, None)
    assert by_user["u3"]["result"]["review_item"] == str(item.id)
    assert by_user["u4"]["result"]["review_item"] == str(item.id)

    clock.advance(hours=1, seconds=1)  # the hour has passed
    post(runtime, project.id, "casino", user="u5")
    assert worker.run_once() == 1
    assert actions(runtime, project.id, user_id="u5")[0]["status"] == "done"


def test_a_rules_actions_per_hour_are_counted_per_project(
    runtime: Runtime, project: ApiProject, other_project: ApiProject, workers: MakeWorker
) -> None:
    for site in (project, other_project):
        configure(runtime, site.id, rule_actions_per_hour=1)
        publish(runtime, site.id, rule({"action": "ban_user"}))
    worker = workers(runtime)

    post(runtime, project.id, "casino", user="u1")
    post(runtime, other_project.id, "casino", user="u1")
    assert drain(worker) == 2

    for site in (project, other_project):
        assert only_action(runtime, site.id, "ban_user")["status"] == "done"
        assert open_reviews(runtime, site.id, "rule_exhausted") == []


def test_escalations_are_not_counted_against_a_rules_actions_per_hour(
    runtime: Runtime, project: ApiProject, workers: MakeWorker
) -> None:
    configure(runtime, project.id, rule_actions_per_hour=1)
    publish(runtime, project.id, rule({"action": "escalate"}))
    for user in ("u1", "u2", "u3"):
        post(runtime, project.id, "casino", user=user)

    assert drain(workers(runtime)) == 3

    assert [a["status"] for a in actions(runtime, project.id)] == ["done"] * 3
    assert len(open_reviews(runtime, project.id, "questionable")) == 3
    assert open_reviews(runtime, project.id, "rule_exhausted") == []


# --- retention of the actions log ------------------------------------------------------


def test_retention_purges_finished_actions_but_keeps_queued_ones(
    runtime: Runtime, project: ApiProject, workers: MakeWorker, clock: Clock
) -> None:
    publish(runtime, project.id, rule({"action": "ban_user"}))
    post(runtime, project.id, "casino", user="u1")
    drain(workers(runtime))
    post(runtime, project.id, "casino", user="u2")  # queued, never run
    clock.advance(days=31)  # past the default retention of 30 days

    report = run_retention(runtime)

    assert report.remediation_purged == 1
    [left] = actions(runtime, project.id)
    assert (left["user_id"], left["status"]) == ("u2", "queued")
