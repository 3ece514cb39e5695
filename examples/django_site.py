"""A one-file Django site whose comment form spamward guards.

    SPAMWARD_URL=http://127.0.0.1:8000 SPAMWARD_API_KEY=sw_... \
        python -m examples.django_site runserver 5002
"""

from __future__ import annotations

import os
import sys

from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponse
from django.urls import clear_url_caches, path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from spamward.client import SpamwardClient, WebhookRefused, verify_webhook
from spamward.integrations.django import protect
from spamward.integrations.guard import ALTCHA_WIDGET_FILE

SAVED: list[str] = []
APPLIED: dict[str, dict[str, object]] = {}  # idempotency key: the webhook, applied once


def comment_fields(request: HttpRequest) -> dict[str, str | None]:
    form = request.POST
    return {"user_id": form.get("user"), "ip": request.META.get("REMOTE_ADDR"),
            "email": form.get("email") or None, "text": form.get("body", "")}  # fmt: skip


def configure(spamward_url: str, api_key: str, webhook_secret: str = "") -> None:
    """Django's settings, and the guarded view's client: once per process."""
    if not settings.configured:
        settings.configure(DEBUG=False, ROOT_URLCONF=__name__, ALLOWED_HOSTS=["*"],
                           SECRET_KEY=os.environ.get("DJANGO_SECRET_KEY", "example"),
                           MIDDLEWARE=[])  # fmt: skip
    client = SpamwardClient(spamward_url, api_key)

    @csrf_exempt  # type: ignore[untyped-decorator]  # an example: a real site keeps CSRF on
    @require_POST  # type: ignore[untyped-decorator]
    @protect(client, "comment", comment_fields)
    def add_comment(request: HttpRequest) -> HttpResponse:
        SAVED.append(request.POST["body"])
        return HttpResponse(f"saved ({request.spamward.verdict})")

    def altcha_widget(request: HttpRequest) -> FileResponse:
        return FileResponse(ALTCHA_WIDGET_FILE.open("rb"), content_type="text/javascript")

    @csrf_exempt  # type: ignore[untyped-decorator]  # spamward signs it: no CSRF token
    @require_POST  # type: ignore[untyped-decorator]
    def webhook(request: HttpRequest) -> HttpResponse:
        try:
            payload = verify_webhook(webhook_secret, dict(request.headers), request.body)
        except WebhookRefused:
            return HttpResponse("bad signature", status=401)
        APPLIED.setdefault(request.headers.get("Spamward-Idempotency-Key", ""), payload)
        return HttpResponse("ok")

    urlpatterns[:] = [path("comments", add_comment), path("altcha.js", altcha_widget),
                      path("spamward", webhook)]  # fmt: skip
    clear_url_caches()  # a second configure() (the tests') must reach the new view


urlpatterns: list[object] = []

if __name__ == "__main__":
    from django.core.management import execute_from_command_line

    configure(os.environ["SPAMWARD_URL"], os.environ["SPAMWARD_API_KEY"])
    execute_from_command_line(sys.argv)
