"""evaluate(event) -> Decision: the one loop.

Pure: it reads lists and signals through the reader it is given, never writes, never calls
out. Rules answer (policy/run.py); a rule that raises is recorded as `error` and the event
still gets an answer.
"""

from __future__ import annotations

import time

from spamward.domain.decision import Decision, ListName
from spamward.domain.entity import Entity
from spamward.domain.event import Event
from spamward.domain.facts import EntityKey, Facts
from spamward.policy.compiled import Policy
from spamward.policy.context import build_context
from spamward.policy.run import run_policy
from spamward.signals.facts import gather_facts
from spamward.signals.lists import list_status
from spamward.signals.reader import SignalReader
from spamward.text.extract import extract


def evaluate(
    event: Event,
    policy: Policy,
    signals: SignalReader,
    default_region: str,
    min_text_chars: int = 50,
) -> Decision:
    started = time.perf_counter()
    region = event.region or default_region
    entities = extract(event.content.judged_text(), region, min_text_chars)
    listed = list_status(entities, signals)
    facts = gather_facts(event, entities, policy.reads, signals)
    return decide_with(event, policy, entities, listed, facts, started)


def decide_with(
    event: Event,
    policy: Policy,
    entities: tuple[Entity, ...],
    listed: dict[EntityKey, ListName],
    facts: Facts,
    started: float,
) -> Decision:
    """The policy's decision on facts already gathered: live, or replayed by a backtest."""
    context = build_context(event, entities, listed, facts, policy.windows)
    judgement = run_policy(policy, context, event.challenge_passed)
    degraded = tuple(f"degraded: {name} unavailable, read as 0" for name in facts.degraded)
    return Decision(
        verdict=judgement.verdict,
        score=judgement.score,
        reasons=judgement.reasons + degraded,
        entities=entities,
        list_status=listed,
        rules=judgement.outcomes,
        duration_us=(time.perf_counter() - started) * 1e6,
        policy_version=policy.version,
        effects=judgement.effects,
        challenge=judgement.challenge,
        retry_after_seconds=judgement.retry_after_seconds,
        signals=facts.to_json(),
    )


def warm_up(default_region: str) -> None:
    """Load what extraction loads lazily (suffix list, phone metadata), so the first
    request does not pay for it."""
    extract("warm up: www.example.com/x mail a@example.org call 555-123-4567", default_region)
