"""What each project uses at one version at a time (its compiled policy, its spam model),
built once per process and version and replaced when the project's version changes.

Every decision reads the project's live version numbers with its settings, so a publish,
a rollback or a retrained model on any process applies on every process at its next
decision."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

Built = TypeVar("Built")


class LiveVersions(Generic[Built]):
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._live: dict[int, tuple[int, Built]] = {}

    def held(self, project_id: int, version: int) -> Built | None:
        """The project's thing at `version` if already built, else None."""
        held = self._live.get(project_id)
        return held[1] if held is not None and held[0] == version else None

    def get(self, project_id: int, version: int, build: Callable[[], Built]) -> Built:
        """The project's thing at `version`, from `build()` when not already held."""
        held = self.held(project_id, version)
        if held is not None:
            return held
        built = build()
        with self._lock:
            self._live[project_id] = (version, built)
        return built
