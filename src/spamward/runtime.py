"""What a running spamward holds: settings, the database and the policy, built once."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from spamward.engine import warm_up
from spamward.policy.rules import Rule, default_policy
from spamward.settings import Settings
from spamward.storage.db import Database

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    database: Database
    policy: Sequence[Rule]
    clock: Clock = field(default=utc_now)  # tests pass their own: time without sleeping

    def close(self) -> None:
        self.database.dispose()


def build_runtime(settings: Settings, clock: Clock = utc_now) -> Runtime:
    warm_up(settings.default_region)
    return Runtime(settings, Database(settings), default_policy(), clock)
