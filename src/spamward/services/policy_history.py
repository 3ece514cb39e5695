"""A project's policy history a page at a time: what the version list shows, without
loading every version's document."""

from __future__ import annotations

from spamward.runtime import Runtime
from spamward.services.policies import VersionView
from spamward.storage.repositories import policies as policy_repo
from spamward.storage.repositories import policy_history as repo


def version_page(runtime: Runtime, project_id: int, limit: int, offset: int) -> list[VersionView]:
    """Published versions, newest first, the live one marked."""
    with runtime.database.read() as session:
        live = policy_repo.live_version_number(session, project_id)
        rows = repo.version_page(session, project_id, limit, offset)
    return [VersionView(number, note, at, by, number == live) for number, note, at, by in rows]
