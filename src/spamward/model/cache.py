"""Per-project spam models, one live version each, loaded once per process and version.

Every decision reads the project's live model version with its settings, so a model that
passes the gate on one process is used by every process at its next decision."""

from __future__ import annotations

import threading
from collections.abc import Callable

from spamward.model.linear import LinearModel


class ProjectModels:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._live: dict[int, tuple[int, LinearModel]] = {}

    def get(self, project_id: int, version: int, load: Callable[[], LinearModel]) -> LinearModel:
        cached = self._live.get(project_id)
        if cached is not None and cached[0] == version:
            return cached[1]
        model = load()
        with self._lock:
            self._live[project_id] = (version, model)
        return model
