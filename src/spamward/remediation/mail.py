"""E-mail through the configured SMTP server, from templates (one per notification)."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from spamward.remediation.job import ActionError, PermanentError
from spamward.settings import Settings


@cache
def _templates() -> Environment:
    # Plain-text mail: nothing is interpreted as HTML, so nothing is escaped; the text is
    # attacker-controlled only in `reason`, which a mail client shows as text.
    return Environment(
        loader=PackageLoader("spamward.remediation", "templates"),
        undefined=StrictUndefined,
        autoescape=False,  # noqa: S701 - plain text, never HTML
        keep_trailing_newline=True,
    )


def render(template: str, values: dict[str, Any]) -> tuple[str, str]:
    """The subject (the template's first line, `Subject: ...`) and the body."""
    text = _templates().get_template(f"{template}.txt").render(**values)
    first, _, body = text.partition("\n")
    return first.removeprefix("Subject:").strip()[:200], body.lstrip("\n")


class Mailer:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    @property
    def configured(self) -> bool:
        return self._settings.smtp_host is not None

    def send(self, to: list[str], subject: str, body: str, reference: str) -> None:
        """Send one message; its Message-ID derives from `reference` (the idempotency key),
        so a receiving system can recognise a retried delivery."""
        message = EmailMessage()
        message["From"] = self._settings.smtp_from
        message["To"] = ", ".join(to)
        message["Subject"] = subject.replace("\r", " ").replace("\n", " ")
        message["Message-ID"] = f"<{reference}@spamward>"
        message.set_content(body)
        try:
            with self._connect() as smtp:
                smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as error:
            raise PermanentError(f"recipients refused: {', '.join(error.recipients)}") from error
        except (OSError, smtplib.SMTPException) as error:
            raise ActionError(f"SMTP {self._settings.smtp_host}: {error}") from error

    def _connect(self) -> smtplib.SMTP:
        s = self._settings
        assert s.smtp_host is not None  # checked by `configured`
        timeout = s.smtp_timeout_seconds
        if s.smtp_security == "tls":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                s.smtp_host, s.smtp_port, timeout=timeout, context=ssl.create_default_context()
            )
        else:
            smtp = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=timeout)
            if s.smtp_security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
        if s.smtp_username and s.smtp_password:
            smtp.login(s.smtp_username, s.smtp_password.get_secret_value())
        return smtp
