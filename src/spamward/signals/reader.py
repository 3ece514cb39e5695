"""What the engine may ask storage while it decides: one protocol, read-only."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Protocol

from spamward.domain.decision import ListName
from spamward.domain.entity import Entity
from spamward.domain.event import Event
from spamward.domain.facts import Account, EntityKey
from spamward.model.linear import shipped_model
from spamward.signals.lists import ListReader
from spamward.signals.velocity import Reading


class SpamModel(Protocol):
    def probability(self, text: str) -> float:
        """The calibrated probability that `text` is spam, in [0, 1]."""
        ...


class SignalReader(ListReader, Protocol):
    def entity_counts(self, keys: Iterable[EntityKey]) -> Mapping[EntityKey, tuple[int, int]]:
        """Posts and distinct users in the project's window, for the keys seen before."""
        ...

    def account(self, user_id: str) -> Account:
        """The account as spamward keeps it: status (active unless moderated) and history."""
        ...

    def ip_list(self, ip: str | None) -> str:
        """`allow` or `deny` when one of the project's IP lists holds the address, else ""."""
        ...

    def spam_probability(self, text: str) -> float:
        """The project's spam classifier's calibrated probability for the content."""
        ...

    def velocity(self, event: Event, entities: tuple[Entity, ...]) -> Reading:
        """Recent counts of the actor's and the entities' subjects, before this event."""
        ...


class NoSignals:
    """Nothing stored: for judging text outside any project."""

    def listed(self, keys: Iterable[EntityKey]) -> Mapping[EntityKey, ListName]:
        return {}

    def entity_counts(self, keys: Iterable[EntityKey]) -> Mapping[EntityKey, tuple[int, int]]:
        return {}

    def account(self, user_id: str) -> Account:
        return Account()

    def ip_list(self, ip: str | None) -> str:
        return ""

    def spam_probability(self, text: str) -> float:
        return shipped_model().probability(text)

    def velocity(self, event: Event, entities: tuple[Entity, ...]) -> Reading:
        return Reading()
