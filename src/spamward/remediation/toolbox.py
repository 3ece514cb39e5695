"""What executors work with: the runtime, an HTTP client, the mailer, and reads of the
project's remediation settings and of the action's event and decision."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from spamward.remediation.job import Job
from spamward.remediation.mail import Mailer
from spamward.runtime import Runtime
from spamward.storage.models import Actor, Decision, Event
from spamward.storage.repositories import reviews
from spamward.storage.repositories.projects import project_settings


@dataclass(frozen=True, slots=True)
class Site:
    """A project's remediation settings."""

    name: str
    webhook_url: str | None
    webhook_secret: str
    admin_emails: list[str]
    admin_webhook_url: str | None
    rule_actions_per_hour: int


@dataclass(frozen=True, slots=True)
class Details:
    """What is known of the action's event and decision (an event may have been purged)."""

    event_type: str | None = None
    external_id: str | None = None
    email: str | None = None
    verdict: str | None = None
    reasons: tuple[str, ...] = ()


class Toolbox:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        timeout = runtime.settings.webhook_timeout_seconds
        self.http = httpx.Client(timeout=httpx.Timeout(timeout, connect=min(timeout, 2.0)))
        self.mailer = Mailer(runtime.settings)

    def close(self) -> None:
        self.http.close()

    def site(self, project_id: int) -> Site:
        with self.runtime.database.read() as session:
            row = project_settings(session, project_id)
            emails = [e.strip() for e in row.admin_emails.split(",") if e.strip()]
            return Site(
                row.name, row.webhook_url, row.webhook_secret or "", emails,
                row.admin_webhook_url, row.rule_actions_per_hour,
            )  # fmt: skip

    def details(self, job: Job) -> Details:
        with self.runtime.database.read() as session:
            event = _event(session, job.project_id, job.event_id)
            decision = _decision(session, job.project_id, job.decision_id)
            email = session.scalar(
                select(Actor.email).where(
                    Actor.project_id == job.project_id, Actor.external_id == job.user_id
                )
            )
        return Details(
            event.type if event else None,
            event.external_id if event else None,
            email,
            decision.verdict if decision else None,
            tuple(decision.trace.get("reasons", [])) if decision else (),
        )

    def open_review(self, job: Job, kind: str, summary: str, *, rule: str | None = None) -> str:
        """Open (or find the open) review item for the job's subject; its id."""
        about = (
            {"rule": rule} if rule is not None
            else {"event_id": job.event_id, "decision_id": job.decision_id, "user_id": job.user_id}
        )  # fmt: skip
        with self.runtime.database.write() as session:
            item = reviews.open_new(session, job.project_id, kind, summary, self.runtime.clock(),
                                    **about)  # fmt: skip
            return str(item.id)


def _event(session: Session, project_id: int, event_id: uuid.UUID | None) -> Event | None:
    if event_id is None:
        return None
    return session.scalar(select(Event).where(Event.project_id == project_id, Event.id == event_id))


def _decision(session: Session, project_id: int, decision_id: uuid.UUID | None) -> Decision | None:
    if decision_id is None:
        return None
    return session.scalar(
        select(Decision).where(Decision.project_id == project_id, Decision.id == decision_id)
    )
