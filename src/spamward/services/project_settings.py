"""A project's Spam Manager settings: window, ignore period, retention, duplicate-text limit."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from spamward.runtime import Runtime
from spamward.storage.repositories import moderation
from spamward.storage.repositories.projects import project_settings


@dataclass(frozen=True, slots=True)
class ProjectSettings:
    window_days: int
    ignore_days: int
    retention_days: int
    duplicate_text_min_chars: int

    def to_json(self) -> dict[str, int]:
        return asdict(self)


def get_settings(runtime: Runtime, project_id: int) -> ProjectSettings:
    with runtime.database.read() as session:
        row = project_settings(session, project_id)
        return ProjectSettings(
            row.window_days, row.ignore_days, row.retention_days, row.duplicate_text_min_chars
        )


def update_settings(
    runtime: Runtime, project_id: int, changes: dict[str, int], who: str
) -> ProjectSettings:
    """Apply validated changes (names of ProjectSettings fields) and log them."""
    with runtime.database.write() as session:
        row = project_settings(session, project_id)
        for name, value in changes.items():
            setattr(row, name, value)
        moderation.log(session, project_id, who, "settings", runtime.clock(), **changes)
    return get_settings(runtime, project_id)
