"""A project's moderators, as its admins manage them: list, add (a new account, or a role
for an existing one), change a role, remove from the project.

Nobody changes or removes their own role, so a project always keeps the admin who is
managing it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from spamward.errors import Conflict, NotFound, ValidationFailed
from spamward.runtime import Runtime
from spamward.services.moderators import ModeratorRef, Role, create_moderator
from spamward.services.projects import ProjectRef
from spamward.storage.models import Membership
from spamward.storage.repositories import moderation
from spamward.storage.repositories import moderators as accounts
from spamward.storage.repositories import project_members as repo

MIN_PASSWORD = 8  # as `spamward moderator add` asks


@dataclass(frozen=True, slots=True)
class MemberView:
    id: int
    email: str
    role: Role
    since: datetime  # the account's creation


def members(runtime: Runtime, project_id: int, limit: int, offset: int) -> list[MemberView]:
    with runtime.database.read() as session:
        rows = repo.members(session, project_id, limit, offset)
        return [MemberView(m.id, m.email, Role(role), m.created_at) for m, role in rows]


def add_member(
    runtime: Runtime, project: ProjectRef, email: str, role: Role, password: str, who: str
) -> ModeratorRef:
    """Give an existing account a role in the project, or make a new account with
    `password` (then required) and the role."""
    email = email.strip().lower()
    with runtime.database.write() as session:
        account = accounts.moderator_by_email(session, email)
        if account is not None:
            if repo.membership(session, project.id, account.id) is not None:
                raise Conflict(f"{email} is already a moderator of this project")
            accounts.grant_role(session, project.id, account.id, role.value)
            _log(runtime, session, project.id, who, "member_added", email, role)
            return ModeratorRef(account.id, account.email)
    if len(password) < MIN_PASSWORD:
        raise ValidationFailed(
            f"{email} has no account yet: give a password of at least {MIN_PASSWORD} characters"
        )
    added = create_moderator(runtime.database, email, password, project.name, role)
    with runtime.database.write() as session:
        _log(runtime, session, project.id, who, "member_added", added.email, role)
    return added


def change_role(
    runtime: Runtime, project_id: int, moderator_id: int, role: Role, me: int, who: str
) -> None:
    with runtime.database.write() as session:
        member, email = _member(session, project_id, moderator_id, me)
        member.role = role.value
        _log(runtime, session, project_id, who, "member_role_changed", email, role)


def remove_member(runtime: Runtime, project_id: int, moderator_id: int, me: int, who: str) -> None:
    """Take the moderator's role in this project away; the account stays."""
    with runtime.database.write() as session:
        _, email = _member(session, project_id, moderator_id, me)
        repo.remove(session, project_id, moderator_id)
        _log(runtime, session, project_id, who, "member_removed", email, None)


def _member(
    session: Session, project_id: int, moderator_id: int, me: int
) -> tuple[Membership, str]:
    """The membership another moderator holds in the project, and their e-mail."""
    if moderator_id == me:
        raise Conflict("you cannot change or remove your own role; ask another admin")
    member = repo.membership(session, project_id, moderator_id)
    account = accounts.moderator_by_id(session, moderator_id)
    if member is None or account is None:
        raise NotFound("no such moderator in this project")
    return member, account.email


def _log(
    runtime: Runtime, session: Session, project_id: int, who: str, action: str, email: str,
    role: Role | None,
) -> None:  # fmt: skip
    detail = {"email": email} if role is None else {"email": email, "role": role.value}
    moderation.log(session, project_id, who, action, runtime.clock(), **detail)
