"""Velocity: the subjects an event counts under, sliding windows and distinct counts in
both backends (memory and Redis), Redis down and back, and velocity rules through the API."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest
import redis
from bench.private_services import PrivateRedis
from starlette.testclient import TestClient

from spamward.app import create_app
from spamward.domain.entity import Entity, EntityKind
from spamward.domain.event import Actor, Content, Event, EventType
from spamward.domain.velocity import ACTOR_SUBJECTS, LONGEST_WINDOW, WINDOWS
from spamward.runtime import build_runtime
from spamward.settings import Settings
from spamward.signals import memory_counters
from spamward.signals.memory_counters import MemoryCounters
from spamward.signals.redis_counters import RedisCounters
from spamward.signals.velocity import Counters, Reading, Subject, Subjects, subjects_of
from spamward.text.extract import extract
from tests.conftest import REDIS_URL, ApiProject, Clock, make_project, unavailable

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
PROJECT = 1
IP = "203.0.113.7"
DOWN_URL = "redis://127.0.0.1:1/0"  # nothing listens there


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def event(
    user: str | None = "u1",
    ip: str | None = IP,
    email: str | None = None,
    kind: EventType = EventType.POST,
) -> Event:
    return Event(kind, Actor(user_id=user, email=email, ip=ip), T0, Content("hello there"))


def domain(value: str) -> Entity:
    return Entity(EntityKind.DOMAIN, value, value, value)


EXAMPLE = domain("example.com")
OTHER = domain("other.org")


def subjects(
    user: str | None = "u1", ip: str | None = IP, entities: tuple[Entity, ...] = ()
) -> Subjects:
    return subjects_of(event(user, ip), entities)


def commit(counters: Counters, subs: Subjects, when: datetime, project_id: int = PROJECT) -> None:
    counters.commit(project_id, subs, uuid.uuid4().hex, when)


def read(counters: Counters, subs: Subjects, when: datetime, project_id: int = PROJECT) -> Reading:
    reading = counters.read(project_id, subs, when)
    assert not reading.degraded
    return reading


def zeros(names: tuple[str, ...]) -> dict[str, int]:
    return {f"{name}_{window}": 0 for name in names for window in WINDOWS}


# --- subjects_of ---------------------------------------------------------------------------


def test_a_post_counts_under_its_user_ip_network_and_the_ips_accounts() -> None:
    found = subjects_of(event("u1", IP), ())

    assert found.actor == (
        Subject("user", "u1"),
        Subject("ip", IP),
        Subject("net", "203.0.113.0/24"),
        Subject("ip_accounts", IP, member="u1"),
    )
    assert found.entities == ()


def test_an_ipv6_address_counts_under_its_64() -> None:
    found = subjects_of(event("u1", "2001:db8:1:2:3:4:5:6"), ())

    assert Subject("net", "2001:db8:1:2::/64") in found.actor


def test_an_invalid_ip_is_its_own_network() -> None:
    found = subjects_of(event("u1", "not-an-ip"), ())

    assert Subject("net", "not-an-ip") in found.actor


def test_without_a_user_there_is_no_user_nor_ip_accounts_subject() -> None:
    found = subjects_of(event(None, IP), ())

    assert found.actor == (Subject("ip", IP), Subject("net", "203.0.113.0/24"))


def test_an_event_without_actor_details_counts_under_nothing() -> None:
    assert subjects_of(event(None, None), ()) == Subjects((), ())


@pytest.mark.parametrize("kind", list(EventType))
def test_signups_per_ip_count_only_signups(kind: EventType) -> None:
    found = subjects_of(event("u1", IP, kind=kind), ())

    assert (Subject("signups_ip", IP) in found.actor) is (kind is EventType.SIGNUP)


def test_the_email_domain_is_lower_cased() -> None:
    found = subjects_of(event("u1", None, email="Spam.Er@Mail.Example.COM"), ())

    assert found.actor == (Subject("user", "u1"), Subject("email_domain", "mail.example.com"))


def test_an_email_without_at_sign_has_no_domain() -> None:
    found = subjects_of(event("u1", None, email="nobody"), ())

    assert found.actor == (Subject("user", "u1"),)


def test_each_entity_counts_its_posts_and_distinct_users() -> None:
    found = subjects_of(event("u1", IP), (EXAMPLE, OTHER))

    assert found.entities == (
        (
            EXAMPLE.key,
            (
                Subject("posts", "domain:example.com"),
                Subject("users", "domain:example.com", member="u1"),
            ),
        ),
        (
            OTHER.key,
            (
                Subject("posts", "domain:other.org"),
                Subject("users", "domain:other.org", member="u1"),
            ),
        ),
    )


def test_without_a_user_an_entity_counts_only_its_posts() -> None:
    found = subjects_of(event(None, IP), (EXAMPLE,))

    assert found.entities == ((EXAMPLE.key, (Subject("posts", "domain:example.com"),)),)


# --- both backends ---------------------------------------------------------------------------


def _redis_reachable() -> None:
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3)
    try:
        client.ping()
    except redis.RedisError as error:
        unavailable("Redis", error)
    finally:
        client.close()


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A prefix no other test (nor xdist worker) shares; its keys are deleted afterwards."""
    prefix = f"test-velocity-{uuid.uuid4().hex}"
    yield prefix
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3)
    try:
        keys = list(client.scan_iter(match=f"{prefix}:*"))
        if keys:
            client.delete(*keys)
    except redis.RedisError:
        pass  # Redis was never there: nothing to clean
    finally:
        client.close()


@pytest.fixture
def redis_client() -> Iterator[redis.Redis]:
    _redis_reachable()
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3)
    yield client
    client.close()


@pytest.fixture(params=["memory", "redis"])
def counters(request: pytest.FixtureRequest, redis_prefix: str) -> Iterator[Counters]:
    built: Counters
    if request.param == "memory":
        built = MemoryCounters()
    else:
        _redis_reachable()
        # A generous timeout: a loaded test machine must not turn a reading into zeros.
        built = RedisCounters(REDIS_URL, prefix=redis_prefix, timeout=2.0)
    yield built
    built.close()


def test_a_reading_before_any_commit_is_all_zeros(counters: Counters) -> None:
    signup = event("u1", IP, email="a@example.com", kind=EventType.SIGNUP)
    subs = subjects_of(signup, (EXAMPLE, OTHER))

    reading = read(counters, subs, T0)

    assert reading.actor == zeros(ACTOR_SUBJECTS)
    assert reading.entities == {
        EXAMPLE.key: zeros(("posts", "users")),
        OTHER.key: zeros(("posts", "users")),
    }


def test_events_count_in_each_window_they_fall_in(counters: Counters) -> None:
    now = at(100_000)
    for seconds_ago in (90_000, 80_000, 3_000, 300, 30):
        commit(counters, subjects(), now - timedelta(seconds=seconds_ago))

    reading = read(counters, subjects(), now)

    assert {k: v for k, v in reading.actor.items() if k.startswith("user_")} == {
        "user_1m": 1,
        "user_10m": 2,
        "user_1h": 3,
        "user_1d": 4,
    }
    assert reading.actor["ip_1h"] == 3
    assert reading.actor["net_1d"] == 4


@pytest.mark.parametrize(("window", "seconds"), list(WINDOWS.items()))
def test_an_event_exactly_at_a_windows_edge_is_out(
    counters: Counters, window: str, seconds: int
) -> None:
    commit(counters, subjects(), T0)

    just_inside = read(counters, subjects(), at(seconds - 1))
    on_the_edge = read(counters, subjects(), at(seconds))

    assert just_inside.actor[f"user_{window}"] == 1
    assert on_the_edge.actor[f"user_{window}"] == 0
    assert just_inside.actor[f"ip_accounts_{window}"] == 1
    assert on_the_edge.actor[f"ip_accounts_{window}"] == 0


def test_an_ipv4_mapped_ipv6_address_counts_under_its_ipv4_24() -> None:
    found = subjects_of(event("u1", "::ffff:203.0.113.9"), ())

    assert Subject("net", "203.0.113.0/24") in found.actor


def test_an_event_after_the_reading_time_does_not_count(counters: Counters) -> None:
    commit(counters, subjects(), at(5))

    reading = read(counters, subjects(), T0)

    assert set(reading.actor.values()) == {0}


def test_an_event_at_the_reading_time_counts(counters: Counters) -> None:

    commit(counters, subjects(), T0)

    reading = read(counters, subjects(), T0)

    assert set(reading.actor.values()) == {1}


def test_the_same_user_twice_counts_once_among_distinct_users(counters: Counters) -> None:
    commit(counters, subjects("u1", entities=(EXAMPLE,)), at(0))
    commit(counters, subjects("u1", entities=(EXAMPLE,)), at(10))

    reading = read(counters, subjects("u1", entities=(EXAMPLE,)), at(20))

    assert (reading.actor["ip_1m"], reading.actor["ip_accounts_1m"]) == (2, 1)
    assert (
        reading.entities[EXAMPLE.key]["posts_1m"],
        reading.entities[EXAMPLE.key]["users_1m"],
    ) == (2, 1)


def test_two_users_count_two_among_distinct_users(counters: Counters) -> None:
    commit(counters, subjects("u1", entities=(EXAMPLE,)), at(0))
    commit(counters, subjects("u2", entities=(EXAMPLE,)), at(10))

    reading = read(counters, subjects("u3", entities=(EXAMPLE,)), at(20))

    assert reading.actor["ip_accounts_1m"] == 2
    assert reading.actor["user_1m"] == 0  # u3 itself has not acted
    assert reading.entities[EXAMPLE.key]["users_1m"] == 2


def test_a_distinct_user_counts_from_their_last_event(counters: Counters) -> None:
    commit(counters, subjects("u1"), at(0))
    commit(counters, subjects("u1"), at(100))

    reading = read(counters, subjects("u1"), at(130))

    assert reading.actor["ip_accounts_1m"] == 1


def test_a_late_commit_of_an_older_event_keeps_a_users_newer_time(
    counters: Counters, request: pytest.FixtureRequest
) -> None:
    # Two decisions of one user in flight: the later one's commit lands first.
    commit(counters, subjects("u1", entities=(EXAMPLE,)), at(100))
    commit(counters, subjects("u1", entities=(EXAMPLE,)), at(0))

    reading = read(counters, subjects("u1", entities=(EXAMPLE,)), at(130))

    assert reading.actor["ip_accounts_1m"] == 1
    assert reading.entities[EXAMPLE.key]["users_1m"] == 1


def test_another_project_sees_nothing(counters: Counters) -> None:
    subs = subjects("u1", entities=(EXAMPLE,))
    commit(counters, subs, at(0), project_id=PROJECT)

    elsewhere = read(counters, subs, at(10), project_id=PROJECT + 1)

    assert set(elsewhere.actor.values()) == {0}
    assert set(elsewhere.entities[EXAMPLE.key].values()) == {0}


def test_another_subject_key_sees_nothing(counters: Counters) -> None:
    commit(counters, subjects("u1", IP, entities=(EXAMPLE,)), at(0))

    reading = read(counters, subjects("u2", "198.51.100.9", entities=(OTHER,)), at(10))

    assert set(reading.actor.values()) == {0}
    assert set(reading.entities[OTHER.key].values()) == {0}


def test_per_entity_counts_are_keyed_by_the_entity(counters: Counters) -> None:
    commit(counters, subjects("u1", entities=(EXAMPLE, OTHER)), at(0))
    commit(counters, subjects("u2", entities=(EXAMPLE,)), at(10))

    reading = read(counters, subjects("u3", entities=(EXAMPLE, OTHER)), at(20))

    assert set(reading.entities) == {EXAMPLE.key, OTHER.key}
    assert (
        reading.entities[EXAMPLE.key]["posts_1m"],
        reading.entities[EXAMPLE.key]["users_1m"],
    ) == (2, 2)
    assert (reading.entities[OTHER.key]["posts_1m"], reading.entities[OTHER.key]["users_1m"]) == (
        1,
        1,
    )


def test_a_long_entity_key_counts_like_any_other(counters: Counters) -> None:
    url = Entity(EntityKind.URL, "example.com/" + "x" * 300, "example.com/...", "example.com")
    commit(counters, subjects("u1", entities=(url,)), at(0))

    reading = read(counters, subjects("u2", entities=(url,)), at(10))

    assert reading.entities[url.key]["posts_1m"] == 1


# --- Redis only ------------------------------------------------------------------------------


def test_redis_keys_expire_after_the_longest_window(
    redis_client: redis.Redis, redis_prefix: str
) -> None:
    counters = RedisCounters(REDIS_URL, prefix=redis_prefix, timeout=2.0)
    try:
        commit(counters, subjects("u1", entities=(EXAMPLE,)), at(0))
    finally:
        counters.close()

    keys = list(redis_client.scan_iter(match=f"{redis_prefix}:v:*"))

    assert len(keys) == 6  # user, ip, net, ip_accounts, posts, users
    for key in keys:
        ttl = redis_client.ttl(key)
        assert 0 < ttl <= LONGEST_WINDOW + 60


def test_redis_trims_members_older_than_the_longest_window(
    redis_client: redis.Redis, redis_prefix: str
) -> None:
    counters = RedisCounters(REDIS_URL, prefix=redis_prefix, timeout=2.0)
    try:
        commit(counters, subjects("u1"), at(0))
        commit(counters, subjects("u2"), at(10))
        commit(counters, subjects("u3"), at(LONGEST_WINDOW + 20))
    finally:
        counters.close()

    ip_events = f"{redis_prefix}:v:{{{PROJECT}}}:ip:{IP}"
    ip_accounts = f"{redis_prefix}:v:{{{PROJECT}}}:ip_accounts:{IP}"

    assert redis_client.zcard(ip_events) == 1
    members = cast(list[bytes], redis_client.zrange(ip_accounts, 0, -1))
    assert members == [b"u3"]


def test_unreachable_redis_reads_zeros_marked_degraded() -> None:
    counters = RedisCounters(DOWN_URL)
    try:
        subs = subjects("u1", entities=(EXAMPLE,))

        reading = counters.read(PROJECT, subs, T0)
    finally:
        counters.close()

    assert reading.degraded is True
    assert reading.actor == zeros(("user", "ip", "net", "ip_accounts"))
    assert reading.entities == {EXAMPLE.key: zeros(("posts", "users"))}


def test_unreachable_redis_drops_commits_without_raising() -> None:
    counters = RedisCounters(DOWN_URL, retry_after=0)
    try:
        commit(counters, subjects("u1", entities=(EXAMPLE,)), T0)
        commit(counters, subjects("u1", entities=(EXAMPLE,)), T0)  # tried again, still down
    finally:
        counters.close()


def test_unreachable_redis_keeps_reading_degraded_while_resting() -> None:
    counters = RedisCounters(DOWN_URL, retry_after=60)
    try:
        first = counters.read(PROJECT, subjects(), T0)
        second = counters.read(PROJECT, subjects(), T0)
    finally:
        counters.close()

    assert first.degraded and second.degraded


def test_a_reading_of_no_subjects_is_not_degraded() -> None:
    counters = RedisCounters(DOWN_URL)
    try:
        reading = counters.read(PROJECT, Subjects((), ()), T0)
    finally:
        counters.close()

    assert reading == Reading()


def test_a_decision_with_redis_down_answers_and_says_velocity_is_degraded(
    settings: Settings, clock: Clock
) -> None:
    down = settings.model_copy(update={"redis_url": DOWN_URL})
    runtime = build_runtime(down, clock)
    try:
        assert isinstance(runtime.counters, RedisCounters)
        project = make_project(runtime, "site-down")
        with TestClient(create_app(down, runtime)) as client:
            decision = post_event(client, project)
    finally:
        runtime.close()

    assert any(reason.startswith("degraded: velocity") for reason in decision["reasons"])
    assert decision["signals"]["degraded"] == ["velocity"]
    assert set(decision["signals"]["velocity"].values()) == {0}


# --- Redis comes back ------------------------------------------------------------------------


def test_counting_resumes_when_redis_comes_back(private_redis: PrivateRedis) -> None:
    counters = RedisCounters(private_redis.url, retry_after=0, timeout=2.0)
    try:
        commit(counters, subjects("u1"), at(0))
        assert read(counters, subjects("u1"), at(1)).actor["user_1m"] == 1

        private_redis.stop()
        while_down = counters.read(PROJECT, subjects("u1"), at(2))
        commit(counters, subjects("u1"), at(3))  # dropped, does not raise

        private_redis.start()  # empty: nothing was saved
        back = counters.read(PROJECT, subjects("u1"), at(4))
        commit(counters, subjects("u1"), at(5))
        after = counters.read(PROJECT, subjects("u1"), at(6))
    finally:
        counters.close()

    assert while_down.degraded is True
    assert set(while_down.actor.values()) == {0}
    assert back.degraded is False
    assert back.actor["user_1m"] == 0
    assert after.degraded is False
    assert after.actor["user_1m"] == 1


# --- in memory -------------------------------------------------------------------------------


def test_memory_sweeps_survive_an_event_exactly_one_window_old(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(memory_counters, "SWEEP_EVERY", 1)  # sweep at every commit
    counters = MemoryCounters()
    commit(counters, subjects("u1", "198.51.100.1"), at(0))
    commit(counters, subjects("u2", IP), at(LONGEST_WINDOW))  # sweeps what is one day old
    commit(counters, subjects("u2", IP), at(LONGEST_WINDOW + 1))

    reading = read(counters, subjects("u2", IP), at(LONGEST_WINDOW + 2))

    assert reading.actor["user_1m"] == 2


def test_memory_sweeps_forget_what_is_older_than_the_longest_window(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(memory_counters, "SWEEP_EVERY", 1)
    counters = MemoryCounters()
    commit(counters, subjects("u1", "198.51.100.1", entities=(EXAMPLE,)), at(0))
    commit(counters, subjects("u2", IP), at(LONGEST_WINDOW + 10))
    commit(counters, subjects("u2", IP), at(LONGEST_WINDOW + 20))

    reading = read(
        counters, subjects("u1", "198.51.100.1", entities=(EXAMPLE,)), at(LONGEST_WINDOW + 30)
    )

    assert set(reading.actor.values()) == {0}
    assert set(reading.entities[EXAMPLE.key].values()) == {0}


def test_memory_sweeps_keep_the_distinct_users_still_inside_the_window(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(memory_counters, "SWEEP_EVERY", 1)
    counters = MemoryCounters()
    commit(counters, subjects("u1"), at(0))
    commit(counters, subjects("u2"), at(LONGEST_WINDOW // 2))
    commit(counters, subjects("u2"), at(LONGEST_WINDOW + 10))  # sweeps u1, moves u2 on
    commit(counters, subjects("u3"), at(LONGEST_WINDOW + 20))

    reading = read(counters, subjects("u4"), at(LONGEST_WINDOW + 30))

    assert (reading.actor["ip_accounts_1m"], reading.actor["ip_accounts_1d"]) == (2, 2)


def test_memory_counts_an_event_with_no_subjects_before_any_other() -> None:
    counters = MemoryCounters()
    commit(counters, subjects(user=None, ip=None), at(0))
    commit(counters, subjects("u1"), at(1))

    assert read(counters, subjects("u1"), at(2)).actor["user_1m"] == 1


def test_memory_sweeps_a_share_of_the_subjects_at_each_commit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(memory_counters, "SWEEP_EVERY", 4)  # every subject once in 4 commits
    counters = MemoryCounters()
    for n in range(8):
        commit(counters, subjects(f"u{n}", f"198.51.100.{n}"), at(0))
    old = counters.held_subjects()
    late = subjects("late", IP)

    held = []
    for n in range(8):
        commit(counters, late, at(LONGEST_WINDOW + 10 + n))
        held.append(counters.held_subjects())

    per_commit = len(late.all())
    assert old == 8 * 3 + 1  # each user, IP and IP's accounts, and the one /24 they share
    assert per_commit < held[0] < old + per_commit  # the first commit forgot some, not all
    assert held[-1] == per_commit  # within two rounds of commits, only the late ones are left


# --- through the API -------------------------------------------------------------------------


def post_event(client: TestClient, project: ApiProject, user: str = "user-1") -> Any:
    body = {"type": "post", "actor": {"id": user, "ip": IP}, "content": {"text": "hello there"}}
    response = client.post("/v1/events", json=body, headers=project.headers)
    assert response.status_code == 200, response.text
    return response.json()


def outcome(decision: Any, rule: str) -> str:
    return str(next(o["outcome"] for o in decision["rules"] if o["rule"] == rule))


def test_a_users_earlier_posts_show_in_the_next_decision(
    client: TestClient, project: ApiProject, clock: Clock
) -> None:
    decisions = []
    for _ in range(3):
        decisions.append(post_event(client, project))
        clock.advance(seconds=10)

    assert [d["signals"]["velocity"]["user_1m"] for d in decisions] == [0, 1, 2]
    assert decisions[2]["signals"]["velocity"]["ip_accounts_1m"] == 1
    assert decisions[2]["signals"]["degraded"] == []


def test_a_velocity_rule_flags_the_third_post_within_a_minute(
    client: TestClient, project: ApiProject, clock: Clock
) -> None:
    rule = {"name": "fast_poster", "condition": "velocity.user_1m >= 2", "verdict": "flag"}
    added = client.post("/v1/rules", json=rule, headers=project.headers)
    assert added.status_code == 201, added.text
    published = client.post("/v1/policy/publish", json={"note": ""}, headers=project.headers)
    assert published.status_code == 201, published.text

    decisions = []
    for _ in range(3):
        decisions.append(post_event(client, project))
        clock.advance(seconds=10)

    first, _, third = decisions
    assert first["signals"]["velocity"]["user_1m"] == 0
    assert outcome(first, "fast_poster") == "miss"
    assert first["verdict"] != "flag"
    assert third["signals"]["velocity"]["user_1m"] == 2
    assert outcome(third, "fast_poster") == "hit"
    assert third["verdict"] == "flag"


# --- near-duplicate bursts ------------------------------------------------------------------

CAMPAIGN = (
    "Earn bitcoin today by completing paid surveys, want to receive up to ten bitcoin "
    "for answering simple questions about your shopping habits"
)


def text_entity(text: str) -> Entity:
    return next(e for e in extract(text, "US") if e.kind is EntityKind.TEXT)


def test_near_duplicates_from_several_users_count_as_a_burst(counters: Counters) -> None:
    variants = [
        CAMPAIGN,
        CAMPAIGN.replace("ten", "10").replace("today", "now"),
        CAMPAIGN.replace("shopping habits", "daily shopping habits!!"),
    ]
    for user, text in zip(("a", "b", "c"), variants, strict=True):
        entity = text_entity(text)
        commit(counters, subjects_of(event(user), (entity,)), at(0))
    unrelated = text_entity(
        "The concert last night was wonderful, the band played every song from the first "
        "album and the crowd sang along to all of them"
    )

    burst = read(counters, subjects_of(event("d"), (text_entity(CAMPAIGN),)), at(1))
    quiet = read(counters, subjects_of(event("d"), (unrelated,)), at(1))

    assert burst.entities[text_entity(CAMPAIGN).key]["near_users_10m"] == 3
    assert quiet.entities[unrelated.key]["near_users_10m"] == 0
