"""Session login and CSRF: a per-session token, checked on every form post."""

from __future__ import annotations

import hmac
import secrets

from starlette.requests import Request

from spamward.errors import Forbidden

SESSION_MODERATOR = "moderator_id"
SESSION_CSRF = "csrf"
SESSION_EPOCH = "epoch"

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


def csrf_token(request: Request) -> str:
    token = request.session.get(SESSION_CSRF)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session[SESSION_CSRF] = token
    return token


def check_csrf(request: Request, submitted: object) -> None:
    expected = request.session.get(SESSION_CSRF)
    if not (
        isinstance(expected, str)
        and isinstance(submitted, str)
        and hmac.compare_digest(expected, submitted)
    ):
        raise Forbidden("the form expired or did not come from this site; reload and retry")


def logged_in_moderator(request: Request) -> int | None:
    moderator_id = request.session.get(SESSION_MODERATOR)
    return moderator_id if isinstance(moderator_id, int) else None


def start_session(request: Request, moderator_id: int, epoch: int) -> None:
    request.session.clear()  # a fresh session on login: no fixation
    request.session[SESSION_MODERATOR] = moderator_id
    request.session[SESSION_EPOCH] = epoch
    csrf_token(request)


def session_epoch(request: Request) -> int | None:
    epoch = request.session.get(SESSION_EPOCH)
    return epoch if isinstance(epoch, int) else None
