"""Auto-denial on probation: a `deny_entity` action puts an entity on the deny list with an
expiry. Near its end the entry is promoted (made permanent) only if no moderator reversed
it, no post carrying it was labelled not spam, and spam kept using it; otherwise it lapses.

Guard: an entity on the allow list, in a post labelled not spam, or posted by many users
while most of its posts were judged fine (a widely used domain), is never denied
automatically: the action is skipped and a moderator is asked instead. An entity a
moderator ignores is skipped too (the moderator has already answered).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from spamward.domain.decision import ListName
from spamward.domain.entity import EntityKind
from spamward.remediation.job import Job, Outcome
from spamward.remediation.toolbox import Toolbox
from spamward.storage.repositories import lists as list_repo
from spamward.storage.repositories import moderation
from spamward.storage.repositories import probation as repo

PROMOTION_NOTICE = timedelta(days=1)  # promoted during its last day on probation


def deny_on_probation(job: Job, tools: Toolbox) -> Outcome:
    if job.entity is None:
        return Outcome.skipped("no entity to deny")
    kind, value = job.entity
    now = tools.runtime.clock()
    with tools.runtime.database.write() as session:
        existing = list_repo.entry_by_value(session, job.project_id, EntityKind(kind), value)
        if existing is not None and not _lapsed(existing.expires_at, now):
            if existing.list == ListName.DENY:
                return Outcome.done(already="deny")
            if existing.list == ListName.IGNORE:
                return Outcome.skipped(f"a moderator ignores {kind} {value}")
        refusal = refusal_reason(session, job.project_id, kind, value, job.params["max_users"])
        if refusal is None:
            return _deny(session, job, kind, value, now)
    item = tools.open_review(job, "questionable", f"auto-deny of {kind} {value} refused: {refusal}")
    return Outcome.skipped(refusal, review_item=item)


def refusal_reason(
    session: Session, project_id: int, kind: str, value: str, max_users: int
) -> str | None:
    entry = list_repo.entry_by_value(session, project_id, EntityKind(kind), value)
    if entry is not None and entry.list == ListName.ALLOW:
        return "it is on the allow list"
    ham = repo.ham_labels(session, project_id, kind, value)
    if ham:
        return f"{ham} post(s) carrying it were labelled not spam"
    users, posts, spam = repo.verdict_counts(session, project_id, kind, value)
    if users >= max_users and spam * 2 < posts:
        return f"it is widely used: {users} users, {posts - spam} of {posts} posts judged fine"
    return None


def _deny(session: Session, job: Job, kind: str, value: str, now: datetime) -> Outcome:
    existing = list_repo.entry_by_value(session, job.project_id, EntityKind(kind), value)
    if existing is not None:  # a lapsed entry of any list
        session.delete(existing)
        session.flush()
    until = now + timedelta(days=int(job.params["probation_days"]))
    entry = list_repo.insert_entry(
        session, job.project_id, ListName.DENY, EntityKind(kind), value, value,
        f"on probation, by {job.requested_by}", now, who=job.requested_by, expires_at=until,
    )  # fmt: skip
    entry.probation = True
    moderation.mark_listed(session, job.project_id, EntityKind(kind), value, "deny", now)
    moderation.log(session, job.project_id, job.requested_by, "list.deny", now,
                   kind=kind, value=value, probation_until=until.isoformat())  # fmt: skip
    return Outcome.done(listed="deny", probation_until=until.isoformat())


def _lapsed(expires_at: datetime | None, now: datetime) -> bool:
    return expires_at is not None and expires_at <= now


def promote_probation(session: Session, project_id: int, now: datetime) -> int:
    """Make permanent the probation entries in their last day that earned it; the rest are
    left to lapse at their expiry. The number promoted."""
    promoted = 0
    for entry in repo.ending_probation(session, project_id, now + PROMOTION_NOTICE):
        if _lapsed(entry.expires_at, now):
            continue
        kept_matching = repo.posts_since(session, project_id, entry.kind, entry.value,
                                         entry.created_at) > 0  # fmt: skip
        if kept_matching and not repo.ham_labels(session, project_id, entry.kind, entry.value):
            entry.expires_at, entry.probation = None, False
            moderation.log(session, project_id, "system", "list.deny.promoted", now,
                           kind=entry.kind, value=entry.value)  # fmt: skip
            promoted += 1
    return promoted
