"""Compiled policies, one per project, replaced when the project's live version changes.

Every decision reads the project's live version number with its settings, so a publish or
rollback on any process applies to every process at its next decision.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from spamward.policy.compiled import Policy, compile_policy
from spamward.policy.document import PolicyDocument


class PolicyCache:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._live: dict[int, Policy] = {}

    def get(
        self,
        project_id: int,
        version: int,
        windows: tuple[str, ...],
        load: Callable[[], PolicyDocument],
    ) -> Policy:
        """The compiled policy of this version, compiling it from `load()` on a miss."""
        cached = self._live.get(project_id)
        if cached is not None and cached.version == version:
            return cached
        policy = compile_policy(load(), version, windows)
        with self._lock:
            self._live[project_id] = policy
        return policy
