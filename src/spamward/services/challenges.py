"""Challenges: what a `challenge` verdict asks the actor, how it is solved, and the token
that lets the action through once.

A captcha is an ALTCHA proof of work (the browser finds a number whose hash with the salt
matches; the difficulty is the policy's `challenges.captcha_difficulty`), signed with a key
derived from the secret key, with this challenge's id among its parameters so that a
solution answers this challenge only. An e-mail code is six digits sent by SMTP to the
actor's address and kept as a digest; five wrong codes end it. Either way, solving gives a
signed token: resubmitting the action with it, as the same actor and before it expires,
passes the challenge once (docs/challenges.md).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from altcha import v1 as altcha_v1
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.orm import Session

from spamward.domain.event import Actor, Event
from spamward.domain.ids import new_id
from spamward.errors import Conflict, Forbidden, NotFound, ValidationFailed
from spamward.policy.document import ChallengeKind, ChallengeSettings
from spamward.remediation.mail import Mailer, render
from spamward.runtime import Runtime
from spamward.services.policies import live_policy
from spamward.settings import session_secret
from spamward.storage.models import Challenge
from spamward.storage.repositories import accounts
from spamward.storage.repositories import challenges as repo

log = logging.getLogger(__name__)
CODE_ATTEMPTS = 5


class ChallengeFailed(ValidationFailed):
    code = "challenge_failed"


@dataclass(frozen=True, slots=True)
class Solved:
    token: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class Issued:
    """A challenge to store with its decision; what the answer shows of it, and the code
    mail to send once stored (e-mail codes only)."""

    row: Challenge
    shown: dict[str, Any]
    send: Callable[[], None] | None


def issue(
    runtime: Runtime, project_id: int, decision_id: uuid.UUID, event: Event, kind: str,
    settings: ChallengeSettings,
) -> Issued:  # fmt: skip
    """The challenge a decision asks for, stored with it by the decision's batch."""
    now, challenge_id = runtime.clock(), new_id()
    expires_at = now + timedelta(seconds=settings.valid_seconds)
    email = event.actor.email if event.actor.email and "@" in event.actor.email else None
    if kind == ChallengeKind.EMAIL_CODE and (email is None or not _mail(runtime).configured):
        kind = ChallengeKind.CAPTCHA  # no address to send a code to: a captcha instead
    row = Challenge(id=challenge_id, project_id=project_id, decision_id=decision_id, kind=kind,
                    actor=actor_key(event.actor), created_at=now, expires_at=expires_at,
                    attempts=0)  # fmt: skip
    shown: dict[str, Any] = {"kind": str(kind), "id": str(challenge_id),
                             "expires_at": expires_at.isoformat()}  # fmt: skip
    if kind != ChallengeKind.EMAIL_CODE:
        shown["altcha"] = _altcha_challenge(runtime, challenge_id, settings)
        return Issued(row, shown, send=None)
    assert email is not None
    code = f"{secrets.randbelow(10**6):06d}"
    row.email, row.code_digest = email, _digest(runtime, challenge_id, code)
    shown["sent_to"] = _masked(email)

    def send() -> None:
        runtime.jobs.submit(lambda: _send_code(runtime, email, code, settings, challenge_id))

    return Issued(row, shown, send)


def solve(
    runtime: Runtime, project_id: int, challenge_id: uuid.UUID, answer: str, by_code: bool
) -> Solved:
    """Check an ALTCHA payload (base64) or an e-mail code; a token when it is right."""
    now = runtime.clock()
    with runtime.database.write() as session:
        row = repo.challenge(session, project_id, challenge_id)
        if row is None:
            raise NotFound("no such challenge")
        problem = _problem(runtime, session, row, answer, by_code, now)
        row.attempts += 1
        if problem is None:
            row.solved_at = now
            row.token_expires_at = now + timedelta(seconds=_token_seconds(runtime, project_id))
            expires = row.token_expires_at
    if problem is not None:  # after the commit: the attempt counts
        raise problem
    token = _serializer(runtime).dumps({"c": str(challenge_id), "p": project_id})
    return Solved(token, expires)


def redeem(runtime: Runtime, project_id: int, token: str, actor: Actor) -> str | None:
    """Use a token for this action; None when it passes, else why not."""
    try:
        data = _serializer(runtime).loads(token)
        challenge_id, token_project = uuid.UUID(str(data["c"])), int(data["p"])
    except (BadSignature, KeyError, TypeError, ValueError):
        return "the challenge token is not one spamward issued"
    if token_project != project_id:
        return "the challenge token is another project's"
    with runtime.database.write() as session:
        if repo.redeem(session, project_id, challenge_id, actor_key(actor), runtime.clock()):
            return None
        row = repo.challenge(session, project_id, challenge_id)
    if row is None or row.actor != actor_key(actor):
        return "the challenge token is another actor's"
    return "the challenge token was used already" if row.token_used_at else "it expired"


def actor_key(actor: Actor) -> str:
    """Whom a challenge was asked of: the site's user, or for anonymous actions the IP."""
    return f"user:{actor.user_id}" if actor.user_id else f"ip:{actor.ip or '-'}"


def _problem(
    runtime: Runtime, session: Session, row: Challenge, answer: str, by_code: bool, now: datetime
) -> Exception | None:
    """Why this answer does not solve the challenge, or None."""
    return _state_problem(session, row, now) or _answer_problem(runtime, row, answer, by_code)


def _state_problem(session: Session, row: Challenge, now: datetime) -> Exception | None:
    if row.solved_at is not None:
        return Conflict("this challenge is solved already")
    if now > row.expires_at:
        return ChallengeFailed("this challenge expired: send the action again for a new one")
    if row.actor.startswith("user:"):
        account = accounts.account(session, row.project_id, row.actor.removeprefix("user:"))
        if account is not None and account.status == "banned":
            return Forbidden("a banned account does not pass a challenge")
    return None


def _answer_problem(
    runtime: Runtime, row: Challenge, answer: str, by_code: bool
) -> Exception | None:
    if by_code != (row.kind == ChallengeKind.EMAIL_CODE):
        return ChallengeFailed(f"this challenge is a {row.kind}: answer it with its own field")
    if not by_code:
        return _altcha_problem(runtime, row.id, answer)
    if row.attempts >= CODE_ATTEMPTS:
        return ChallengeFailed("too many wrong codes: send the action again for a new one")
    right = _digest(runtime, row.id, answer.strip())
    return (
        None if hmac.compare_digest(right, row.code_digest or "") else ChallengeFailed("wrong code")
    )


def _altcha_challenge(
    runtime: Runtime, challenge_id: uuid.UUID, settings: ChallengeSettings
) -> dict[str, Any]:
    # The expiry is the stored row's, on spamward's clock; the id ties a solution to it.
    made = altcha_v1.create_challenge(altcha_v1.ChallengeOptions(
        max_number=settings.captcha_difficulty, hmac_key=_key(runtime, "altcha"),
        params={"id": str(challenge_id)},
    ))  # fmt: skip
    return {"algorithm": made.algorithm, "challenge": made.challenge, "salt": made.salt,
            "signature": made.signature, "maxnumber": made.max_number}  # fmt: skip


def _altcha_problem(runtime: Runtime, challenge_id: uuid.UUID, payload: str) -> Exception | None:
    try:
        decoded = json.loads(base64.b64decode(payload, validate=True))
        valid, error = altcha_v1.verify_solution(decoded, _key(runtime, "altcha"), False)
        params = altcha_v1.extract_params(decoded) if valid else {}
    except Exception:  # a payload is the browser's: anything may come
        return ChallengeFailed("not an ALTCHA solution (base64 of its JSON)")
    if not valid:
        return ChallengeFailed(f"the solution does not check: {error or 'wrong number'}")
    if params.get("id") != [str(challenge_id)]:
        return ChallengeFailed("the solution is for another challenge")
    return None


def _send_code(
    runtime: Runtime, email: str, code: str, settings: ChallengeSettings, reference: uuid.UUID
) -> None:
    subject, body = render("challenge_code", {"code": code,
                                              "minutes": settings.valid_seconds // 60})  # fmt: skip
    try:
        _mail(runtime).send([email], subject, body, str(reference))
    except Exception as error:  # the actor asks for a new challenge; nothing else to do
        log.warning("challenge code not sent to %s: %s", _masked(email), error)


def _mail(runtime: Runtime) -> Mailer:
    return Mailer(runtime.settings)


def _token_seconds(runtime: Runtime, project_id: int) -> int:
    with runtime.database.read() as session:
        return live_policy(runtime, session, project_id).document.challenges.token_seconds


def _digest(runtime: Runtime, challenge_id: uuid.UUID, code: str) -> str:
    message = f"{challenge_id}:{code}".encode()
    return hmac.new(_key(runtime, "code"), message, hashlib.sha256).hexdigest()


def _key(runtime: Runtime, purpose: str) -> bytes:
    secret = session_secret(runtime.settings).encode()
    return hmac.new(secret, f"spamward-challenges-{purpose}".encode(), hashlib.sha256).digest()


def _serializer(runtime: Runtime) -> URLSafeSerializer:
    return URLSafeSerializer(_key(runtime, "token"), salt="challenge-token")


def _masked(email: str) -> str:
    name, _, domain = email.partition("@")
    return f"{name[:1]}***@{domain}"
