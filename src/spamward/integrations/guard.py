"""What every framework helper does with a form post, in one place: ask spamward, and turn
the verdict into proceed, a challenge page, 429 with Retry-After, or 403.

A challenge page carries the original form as hidden fields, and the ALTCHA widget (or a
field for the e-mail code). When it is posted back, the helper solves the challenge, sends
the action again with the token, and proceeds if spamward now allows it: the site's view
sees the original form, once.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spamward.client.sync import SpamwardClient
from spamward.client.types import Challenge, Decision, SpamwardError

CHALLENGE_FIELD = "spamward_challenge"
ALTCHA_FIELD = "altcha"  # the name the ALTCHA widget gives its payload
CODE_FIELD = "spamward_code"
OWN_FIELDS = frozenset({CHALLENGE_FIELD, ALTCHA_FIELD, CODE_FIELD})
# The ALTCHA web component (version 2, MIT), shipped with spamward: a site serves this file
# and passes its URL (the helpers' `widget_url`), so nothing loads from a third party.
ALTCHA_WIDGET_FILE = Path(__file__).with_name("static") / "altcha.js"


@dataclass(frozen=True, slots=True)
class Outcome:
    decision: Decision
    proceed: bool
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: str = ""  # the page to answer when not proceeding


def check(
    client: SpamwardClient,
    event_type: str,
    fields: Mapping[str, Any],
    form: Mapping[str, str],
    widget_url: str,
) -> Outcome:
    """Ask spamward about this form post (`fields` as `client.decide` takes them);
    `widget_url` is where the site serves ALTCHA_WIDGET_FILE."""
    token, problem = _token(client, form)
    decision = client.decide(event_type, **fields, challenge_token=token)
    if decision.allowed:
        return Outcome(decision, proceed=True)
    if decision.verdict == "challenge" and decision.challenge is not None:
        page = challenge_page(decision.challenge, form, problem, widget_url)
        return Outcome(decision, False, 403, {"Content-Type": "text/html; charset=utf-8"}, page)
    if decision.verdict == "rate_limit":
        retry = str(decision.retry_after_seconds or 60)
        return Outcome(decision, False, 429, {"Retry-After": retry}, "Too many requests.")
    return Outcome(decision, False, 403, {}, "This was refused.")


def original_form(form: Mapping[str, str]) -> dict[str, str]:
    """The site's own fields, without the challenge's."""
    return {name: value for name, value in form.items() if name not in OWN_FIELDS}


def challenge_page(
    challenge: Challenge, form: Mapping[str, str], problem: str | None, widget_url: str
) -> str:
    """A minimal page: the site may render its own from `Decision.challenge` instead."""
    hidden = "".join(
        f'<input type="hidden" name="{html.escape(name)}" value="{html.escape(value)}">'
        for name, value in original_form(form).items()
    )
    hidden += f'<input type="hidden" name="{CHALLENGE_FIELD}" value="{html.escape(challenge.id)}">'
    if challenge.kind == "email_code":
        ask = (f'<p>We sent a code to {html.escape(challenge.sent_to or "your address")}.</p>'
               f'<label>Code <input name="{CODE_FIELD}" inputmode="numeric" autocomplete='
               '"one-time-code" required></label>')  # fmt: skip
    else:
        altcha = html.escape(json.dumps(challenge.altcha), quote=True)
        script = f'<script async defer src="{html.escape(widget_url)}" type="module"></script>'
        ask = f"{script}<altcha-widget challengejson='{altcha}' auto='onload'></altcha-widget>"
    error = f'<p class="error">{html.escape(problem)}</p>' if problem else ""
    return ("<!doctype html><title>One more step</title><h1>One more step</h1>"
            f'{error}<form method="post">{hidden}{ask}<button>Send</button></form>')  # fmt: skip


def _token(client: SpamwardClient, form: Mapping[str, str]) -> tuple[str | None, str | None]:
    """The token of a challenge answered in this post, or why it was not accepted."""
    challenge_id = form.get(CHALLENGE_FIELD)
    if not challenge_id:
        return None, None
    try:
        if form.get(CODE_FIELD):
            return client.solve_challenge(challenge_id, code=form[CODE_FIELD]).token, None
        if form.get(ALTCHA_FIELD):
            return client.solve_challenge(challenge_id, solution=form[ALTCHA_FIELD]).token, None
    except SpamwardError as error:
        return None, error.message
    return None, "answer the challenge first"
