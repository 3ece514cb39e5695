"""Remediation rows of the planned project: a few defined actions, ACTIONS actions taken on
spam posts over the window (most done, some skipped, failed or still queued) with their
attempts, and review items: held posts, failed actions, refused auto-denials, rules out of
automatic actions. Those of the last two days are open, the others resolved."""

from __future__ import annotations

from collections.abc import Iterator

import orjson

from bench.dashboard_data import DAY_S, SPAM, VERDICTS, Plan
from bench.dashboard_rows import MODERATOR, Row, Rows, external_user, uuid7

ACTIONS = 5_000
HELD_ITEMS = 1_500
QUESTIONABLE_ITEMS = 300
EXHAUSTED_ITEMS = 50
OPEN_DAYS = 2
ACTION_SALT, REVIEW_SALT = 0x5EED_0003, 0x5EED_0004
WORKER = "bench-host:1234:0"
# name, catalog kind, parameters; None: the catalog action for the post's verdict.
DEFINED: tuple[tuple[str, str, dict[str, object]], ...] = (
    ("ban", "ban_user", {}),
    ("suspend_week", "suspend_user", {"duration": 604_800}),
    ("auto_deny_domain", "deny_entity",
     {"kinds": ["domain"], "probation_days": 7, "max_users": 20}),
    ("warn", "notify_user", {"channel": "email", "template": "notify_user"}),
    ("tell_team", "notify_admins", {"template": "notify_admins"}),
)  # fmt: skip
# Of every 20 actions: 10 on the content, then the defined actions in DEFINED's order.
_CYCLE = (None,) * 10 + (0, 0, 0, 1, 1, 2, 2, 3, 3, 4)


def defined_actions(rows: Rows) -> Iterator[Row]:
    when = rows.at(rows.plan.now - 30 * DAY_S)
    for name, kind, params in DEFINED:
        yield (rows.project_id, name, kind, orjson.dumps(params).decode(), f"bench {name}",
               when, MODERATOR)  # fmt: skip


def _spam_posts(plan: Plan, verdicts: frozenset[int], wanted: int) -> list[int]:
    """`wanted` posts judged one of `verdicts`, with a user, spread evenly over the window."""
    posts = plan.posts
    found = [n for n, v in enumerate(posts.verdicts) if v in verdicts and posts.actors[n]]
    return found[:: max(1, len(found) // wanted)][:wanted]


def _action_status(index: int) -> str:
    if index >= ACTIONS - ACTIONS // 100:  # the newest: not run yet
        return "queued"
    share = index % 100
    return "done" if share < 88 else "skipped" if share < 93 else "failed" if share < 97 else "done"


def actions(rows: Rows) -> Iterator[Row]:
    plan = rows.plan
    for index, post in enumerate(_spam_posts(plan, SPAM, ACTIONS)):
        name, kind, params, entity = _what(rows, index, post)
        status = _action_status(index)
        at = plan.posts.times[post] + 0.2
        finished = rows.at(at + 0.5) if status != "queued" else None
        attempts = 6 if status == "failed" else int(status != "queued")
        requested_by = MODERATOR if index % 5 == 0 else "rule:classifier_spam_certain"
        result = '{"status": 200}' if status == "done" else None
        error = "webhook answered 503" if status == "failed" else None
        yield (uuid7(at, index, ACTION_SALT), rows.project_id, name, kind,
               orjson.dumps(params).decode(), external_user(plan.posts.actors[post]),
               rows.event_id(post), rows.decision_id(post), entity[0], entity[1],
               None if requested_by == MODERATOR else "classifier_spam_certain", requested_by,
               status, attempts, 6, rows.at(at), None, WORKER if finished else None, result,
               error, rows.at(plan.posts.times[post]), rows.at(at), finished)  # fmt: skip


def _what(
    rows: Rows, index: int, post: int
) -> tuple[str, str, dict[str, object], tuple[str | None, str | None]]:
    plan = rows.plan
    choice = _CYCLE[index % len(_CYCLE)]
    ids = plan.posts.entities_of(post)
    if choice == 2 and ids:  # deny the post's first entity
        index_of = ids[0] - 1
        entity = (plan.catalog.kinds[index_of].value, plan.catalog.values[index_of])
        return DEFINED[2][0], DEFINED[2][1], DEFINED[2][2], entity
    if choice is None or choice == 2:
        kind = "hold_content" if VERDICTS[plan.posts.verdicts[post]] == "hold" else "hide_content"
        return kind, kind, {}, (None, None)
    name, kind, params = DEFINED[choice]
    return name, kind, params, (None, None)


def action_attempts(rows: Rows) -> Iterator[Row]:
    plan = rows.plan
    for index, post in enumerate(_spam_posts(plan, SPAM, ACTIONS)):
        status = _action_status(index)
        if status == "queued":
            continue
        at = plan.posts.times[post] + 0.2
        tries = 6 if status == "failed" else 1
        for number in range(1, tries + 1):
            outcome = "error" if status == "failed" else status
            error = "webhook answered 503" if status == "failed" else None
            yield (uuid7(at, index, ACTION_SALT), number, WORKER, rows.at(at + number * 0.1),
                   rows.at(at + number * 0.1 + 0.05), outcome, error)  # fmt: skip


def review_items(rows: Rows) -> Iterator[Row]:
    plan, hold = rows.plan, frozenset({VERDICTS.index("hold")})
    for index, post in enumerate(_spam_posts(plan, hold, HELD_ITEMS)):
        yield _item(rows, index, "held_content", post, "held by rule:classifier_spam_certain")
    block = frozenset({VERDICTS.index("block")})
    for index, post in enumerate(_spam_posts(plan, block, QUESTIONABLE_ITEMS)):
        summary = f"auto-deny of post {post} refused: posted by 45 users"
        yield _item(rows, HELD_ITEMS + index, "questionable", post, summary)
    for index, post in enumerate(_spam_posts(plan, hold, EXHAUSTED_ITEMS)):
        summary = "rule classifier_spam_certain reached its actions per hour"
        yield _item(rows, HELD_ITEMS + QUESTIONABLE_ITEMS + index, "rule_exhausted", post, summary)
    for index, post in enumerate(_spam_posts(plan, SPAM, ACTIONS)):
        if _action_status(index) == "failed":
            action_id = uuid7(plan.posts.times[post] + 0.2, index, ACTION_SALT)
            summary = "action failed: after 6 attempt(s): webhook answered 503"
            yield _item(rows, ACTIONS + index, "action_failed", post, summary, action_id)


def _item(
    rows: Rows, number: int, kind: str, post: int, summary: str, action_id: str | None = None
) -> Row:
    plan = rows.plan
    at = plan.posts.times[post] + 1
    is_open = at > plan.now - OPEN_DAYS * DAY_S
    resolved = None if is_open else rows.at(at + 3600)
    resolution = None if is_open else ("reject" if number % 3 else "approve")
    return (uuid7(at, number, REVIEW_SALT), rows.project_id, kind,
            "open" if is_open else "resolved", summary, rows.event_id(post),
            rows.decision_id(post), action_id, external_user(plan.posts.actors[post]),
            "classifier_spam_certain", rows.at(at), resolved, None if is_open else MODERATOR,
            resolution, None)  # fmt: skip
