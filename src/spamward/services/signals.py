"""The signals one decision reads: lists held in memory, stored ones from its read session,
velocity from the runtime's counters (in memory or in Redis)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from spamward.domain.decision import ListName
from spamward.domain.entity import Entity
from spamward.domain.event import Event
from spamward.domain.facts import Account, EntityKey
from spamward.signals.ip_lists import IpLists
from spamward.signals.reader import SpamModel
from spamward.signals.velocity import Counters, Reading, subjects_of
from spamward.storage.held_lists import HeldLists
from spamward.storage.repositories.signals import StoredSignals


@dataclass(frozen=True, slots=True)
class LiveSignals:
    """A `SignalReader` for one decision of one project."""

    stored: StoredSignals
    counters: Counters
    lists: HeldLists
    ip_lists: IpLists
    project_id: int
    now: datetime
    model: SpamModel

    def listed(self, keys: Iterable[EntityKey]) -> Mapping[EntityKey, ListName]:
        return self.lists.listed(self.project_id, keys, self.now)

    def entity_counts(self, keys: Iterable[EntityKey]) -> Mapping[EntityKey, tuple[int, int]]:
        return self.stored.entity_counts(keys)

    def account(self, user_id: str) -> Account:
        return self.stored.account(user_id)

    def ip_list(self, ip: str | None) -> str:
        return self.ip_lists.list_of(ip)

    def spam_probability(self, text: str) -> float:
        return self.model.probability(text)

    def velocity(self, event: Event, entities: tuple[Entity, ...]) -> Reading:
        return self.counters.read(self.project_id, subjects_of(event, entities), self.now)
