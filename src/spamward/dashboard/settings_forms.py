"""The settings forms read into the same checked changes the JSON API makes: each form is
validated by the API's own request model, and only what differs from the current value is
sent to the service."""

from __future__ import annotations

import re
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from spamward.api.remediation_schemas import RemediationSettingsPatch
from spamward.api.schemas import SettingsPatch
from spamward.dashboard.pages import Page
from spamward.domain.verdict import Verdict
from spamward.errors import ValidationFailed
from spamward.policy.document import Scoring

Model = TypeVar("Model", bound=BaseModel)

SPAM_MANAGER_FIELDS = ("duplicate_text_min_chars", "window_days", "ignore_days", "retention_days")
THRESHOLD_VERDICTS = tuple(verdict for verdict in Verdict if verdict is not Verdict.ALLOW)
REMEDIATION_FIELDS = ("webhook_url", "admin_emails", "admin_webhook_url", "rule_actions_per_hour")
_SEPARATORS = re.compile(r"[\s,;]+")


def validated(model: type[Model], raw: dict[str, Any]) -> Model:
    """The form's values as `model`, or a ValidationFailed naming each wrong field."""
    try:
        return model.model_validate(raw)
    except ValidationError as error:
        details = [
            {"field": ".".join(str(part) for part in problem["loc"]) or "form",
             "message": problem["msg"]}
            for problem in error.errors()
        ]  # fmt: skip
        message = "; ".join(f"{d['field']}: {d['message']}" for d in details)
        raise ValidationFailed(message, details) from None


def text(view: Page, name: str) -> str:
    """A text field, trimmed; NUL characters are refused as the API refuses them."""
    value = view.field(name).strip()
    if "\x00" in value:
        raise ValidationFailed(f"{name}: NUL characters are not allowed")
    return value


def spam_manager_changes(view: Page, current: dict[str, int]) -> dict[str, int]:
    """The Spam Manager settings the form changes, checked as PATCH /v1/settings checks
    them (retention at least the window)."""
    raw = {name: value for name in SPAM_MANAGER_FIELDS if (value := text(view, name))}
    changes: dict[str, int] = validated(SettingsPatch, raw).model_dump(exclude_none=True)
    merged = current | changes
    if merged["retention_days"] < merged["window_days"]:
        raise ValidationFailed("retention_days must be at least window_days")
    return {name: value for name, value in changes.items() if current[name] != value}


def scoring(view: Page) -> Scoring:
    """The thresholds the form sets; an empty field sets none for its verdict."""
    thresholds = {
        verdict.value: value
        for verdict in THRESHOLD_VERDICTS
        if (value := text(view, f"threshold_{verdict.value}"))
    }
    return validated(Scoring, {"thresholds": thresholds})


def remediation_changes(view: Page, current: dict[str, Any]) -> dict[str, Any]:
    """Where actions go, as the form sets it (an empty URL: none; addresses separated by
    commas, spaces or lines), checked as PATCH /v1/remediation-settings checks it."""
    raw: dict[str, Any] = {
        "webhook_url": text(view, "webhook_url") or None,
        "admin_emails": [e for e in _SEPARATORS.split(text(view, "admin_emails")) if e],
        "admin_webhook_url": text(view, "admin_webhook_url") or None,
    }
    if limit := text(view, "rule_actions_per_hour"):
        raw["rule_actions_per_hour"] = limit
    patch = validated(RemediationSettingsPatch, raw)
    changes = {
        name: str(value) if name.endswith("_url") and value is not None else value
        for name, value in patch.model_dump(exclude_unset=True).items()
    }
    return {name: value for name, value in changes.items() if current.get(name) != value}
