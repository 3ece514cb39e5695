"""Django: `@protect(client, "post", fields)` on a view that takes a form post.

    @protect(spamward, "comment", lambda request: {"user_id": str(request.user.pk),
                                                   "text": request.POST["body"]})
    def add_comment(request): ...

The view runs only when spamward allows the action; `request.spamward` is the decision.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse

from spamward.client.sync import SpamwardClient
from spamward.integrations.guard import check

Fields = Callable[[HttpRequest], dict[str, Any]]


def protect(
    client: SpamwardClient, event_type: str, fields: Fields, widget_url: str = "/altcha.js"
) -> Callable[..., Any]:
    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            form = {name: request.POST.get(name, "") for name in request.POST}
            outcome = check(client, event_type, fields(request), form, widget_url)
            if not outcome.proceed:
                response = HttpResponse(outcome.body, status=outcome.status)
                for name, value in outcome.headers.items():
                    response[name] = value
                return response
            request.spamward = outcome.decision
            return view(request, *args, **kwargs)

        return guarded

    return decorate
