"""Flask: `@protect(client, "post", fields)` on a view that takes a form post.

    @app.post("/comments")
    @protect(spamward, "comment", lambda request: {"user_id": ..., "text": request.form["body"]})
    def add_comment(): ...

The view runs only when spamward allows the action; `flask.g.spamward` is the decision.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Request, Response, g, request

from spamward.client.sync import SpamwardClient
from spamward.integrations.guard import check

Fields = Callable[[Request], dict[str, Any]]


def protect(
    client: SpamwardClient, event_type: str, fields: Fields, widget_url: str = "/altcha.js"
) -> Callable[..., Any]:
    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            outcome = check(client, event_type, fields(request), request.form.to_dict(), widget_url)
            if not outcome.proceed:
                return Response(outcome.body, outcome.status, outcome.headers)
            g.spamward = outcome.decision
            return view(*args, **kwargs)

        return guarded

    return decorate
