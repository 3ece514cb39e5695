"""What a running spamward holds: settings, the database and the policy, built once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from spamward.engine import warm_up
from spamward.policy.rules import Rule, default_policy
from spamward.settings import Settings
from spamward.storage.db import Database


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    database: Database
    policy: Sequence[Rule]

    def close(self) -> None:
        self.database.dispose()


def build_runtime(settings: Settings) -> Runtime:
    warm_up(settings.default_region)
    return Runtime(settings, Database(settings), default_policy())
