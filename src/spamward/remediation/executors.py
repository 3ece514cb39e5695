"""What each catalog action does when a worker runs it.

Content lives on the site, so content actions reach it through its webhook; account
actions change the state spamward keeps (read by rules as `actor.status`); the rest
notify, list or escalate. Each is safe to run twice: state changes are idempotent and
deliveries carry the action's idempotency key.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from spamward.domain.account import AccountStatus
from spamward.remediation.catalog import ActionKind
from spamward.remediation.job import Job, Outcome, PermanentError
from spamward.remediation.mail import render
from spamward.remediation.probation import deny_on_probation
from spamward.remediation.toolbox import Details, Site, Toolbox
from spamward.remediation.webhooks import deliver
from spamward.storage.repositories import accounts

Executor = Callable[[Job, Toolbox], Outcome]


def payload(job: Job, site: Site, details: Details) -> dict[str, Any]:
    """The JSON a webhook carries (documented in docs/webhooks.md)."""
    return {
        "id": str(job.id),
        "project": site.name,
        "action": job.name,
        "kind": job.kind.value,
        "params": job.params,
        "rule": job.rule,
        "requested_by": job.requested_by,
        "user_id": job.user_id,
        "event": {"id": str(job.event_id), "external_id": details.external_id,
                  "type": details.event_type} if job.event_id else None,
        "decision": {"id": str(job.decision_id), "verdict": details.verdict,
                     "reasons": list(details.reasons)} if job.decision_id else None,
        "entity": {"kind": job.entity[0], "value": job.entity[1]} if job.entity else None,
        "created_at": job.created_at.isoformat(),
    }  # fmt: skip


def _to_site(job: Job, tools: Toolbox, event: str) -> Outcome:
    site = tools.site(job.project_id)
    if not site.webhook_url:
        return Outcome.skipped("the project has no webhook URL")
    if not site.webhook_secret:  # set outside the API, which makes one with the URL
        raise PermanentError("the project has no webhook secret: rotate one in the settings")
    body = payload(job, site, tools.details(job))
    return Outcome.done(**deliver(tools.http, site.webhook_url, site.webhook_secret, event, body,
                                  job.idempotency_key))  # fmt: skip


def content_action(job: Job, tools: Toolbox) -> Outcome:
    if job.event_id is None:
        return Outcome.skipped("no post to act on")
    if job.kind is ActionKind.HOLD_CONTENT:
        item = tools.open_review(job, "held_content", f"held by {job.requested_by}")
        delivered = _to_site(job, tools, "content.hold")
        return Outcome.done(review_item=item, **delivered.result)
    return _to_site(job, tools, "content." + job.kind.value.removesuffix("_content"))


_STATUS_OF = {
    ActionKind.QUARANTINE_USER: AccountStatus.QUARANTINED,
    ActionKind.SUSPEND_USER: AccountStatus.SUSPENDED,
    ActionKind.BAN_USER: AccountStatus.BANNED,
}


def account_action(job: Job, tools: Toolbox) -> Outcome:
    """Set the account's status; an automatic action never lowers it (a banned account is
    not merely quarantined by a later rule), while a moderator's sets it as asked."""
    if job.user_id is None:
        return Outcome.skipped("the event has no user")
    now = tools.runtime.clock()
    status = _STATUS_OF[job.kind]
    until = now + timedelta(seconds=job.params["duration"]) if "duration" in job.params else None
    with tools.runtime.database.write() as session:
        current = accounts.account(session, job.project_id, job.user_id)
        if current is not None and job.rule is not None and _outranks(current, status, until, now):
            return Outcome.skipped(f"the account is already {current.status}")
        accounts.set_status(session, job.project_id, job.user_id, status.value, now, until)
    return Outcome.done(status=status.value, until=until.isoformat() if until else None)


def _outranks(current: Any, status: AccountStatus, until: Any, now: Any) -> bool:
    if current.status_until is not None and current.status_until <= now:
        return False  # its suspension is over
    rank = AccountStatus(current.status).severity
    if rank != status.severity:
        return rank > status.severity
    return current.status_until is None or (until is not None and current.status_until >= until)


def rate_limit_user(job: Job, tools: Toolbox) -> Outcome:
    if job.user_id is None:
        return Outcome.skipped("the event has no user")
    now = tools.runtime.clock()
    until = now + timedelta(seconds=job.params["duration"])
    with tools.runtime.database.write() as session:
        accounts.rate_limit(session, job.project_id, job.user_id, until, now)
    return Outcome.done(rate_limited_until=until.isoformat())


def notify_user(job: Job, tools: Toolbox) -> Outcome:
    if job.params.get("channel") == "webhook":
        return _to_site(job, tools, "user.notify")
    details = tools.details(job)
    if not details.email:
        return Outcome.skipped("spamward knows no e-mail address for the user")
    if not tools.mailer.configured:
        return Outcome.skipped("SMTP is not configured")
    site = tools.site(job.project_id)
    subject, body = render("notify_user", _mail_values(job, site, details))
    tools.mailer.send([details.email], subject, body, job.idempotency_key)
    return Outcome.done(emailed=details.email)


def notify_admins(job: Job, tools: Toolbox) -> Outcome:
    site = tools.site(job.project_id)
    details = tools.details(job)
    done: dict[str, Any] = {}
    if site.admin_emails and tools.mailer.configured:
        subject, body = render("notify_admins", _mail_values(job, site, details))
        tools.mailer.send(site.admin_emails, subject, body, job.idempotency_key)
        done["emailed"] = site.admin_emails
    if site.admin_webhook_url:
        body_json = payload(job, site, details)
        done |= deliver(tools.http, site.admin_webhook_url, site.webhook_secret, "admin.notify",
                        body_json, job.idempotency_key)  # fmt: skip
    if not done:
        return Outcome.skipped("no admin e-mail (with SMTP) or admin webhook is configured")
    return Outcome.done(**done)


def _mail_values(job: Job, site: Site, details: Details) -> dict[str, Any]:
    return {
        "project": site.name,
        "event_type": details.event_type,
        "reason": _reason(job, details),
        "reference": str(job.id),
        "rule": job.rule,
        "action": job.name,
        "requested_by": job.requested_by,
        "verdict": details.verdict,
        "user_id": job.user_id,
        "event_id": str(job.event_id) if job.event_id else None,
    }


def _reason(job: Job, details: Details) -> str:
    """The reason of the rule that asked for the action, else the decision's reasons."""
    own = [r for r in details.reasons if job.rule and r.startswith(f"{job.rule}:")]
    return "; ".join(own or details.reasons) or "spam protection"


def call_webhook(job: Job, tools: Toolbox) -> Outcome:
    return _to_site(job, tools, str(job.params.get("event", "decision")))


def escalate(job: Job, tools: Toolbox) -> Outcome:
    reasons = "; ".join(tools.details(job).reasons)
    summary = job.params.get("reason") or reasons or f"escalated by {job.requested_by}"
    return Outcome.done(review_item=tools.open_review(job, "questionable", str(summary)))


EXECUTORS: dict[ActionKind, Executor] = {
    **{kind: content_action for kind in ActionKind if kind.value.endswith("_content")},
    **dict.fromkeys(_STATUS_OF, account_action),
    ActionKind.RATE_LIMIT_USER: rate_limit_user,
    ActionKind.DENY_ENTITY: deny_on_probation,
    ActionKind.NOTIFY_USER: notify_user,
    ActionKind.NOTIFY_ADMINS: notify_admins,
    ActionKind.CALL_WEBHOOK: call_webhook,
    ActionKind.ESCALATE: escalate,
}
