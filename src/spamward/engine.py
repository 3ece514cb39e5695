"""evaluate(event) -> Decision: the one loop.

Pure: it reads lists through the reader it is given, never writes, never calls out.
A rule that raises is recorded as `error` and the event still gets an answer.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from spamward.domain.decision import Decision, Outcome, RuleOutcome
from spamward.domain.event import Event
from spamward.domain.verdict import Verdict
from spamward.policy.rules import Rule, RuleContext
from spamward.signals.lists import ListReader, list_status
from spamward.text.extract import extract


def evaluate(
    event: Event,
    policy: Sequence[Rule],
    lists: ListReader,
    default_region: str,
    min_text_chars: int = 50,
) -> Decision:
    started = time.perf_counter()
    region = event.region or default_region
    entities = extract(event.content.judged_text(), region, min_text_chars)
    context = RuleContext(event, entities, list_status(entities, lists))
    outcomes = tuple(_run(rule, context) for rule in policy)
    hits = [outcome for outcome in outcomes if outcome.outcome is Outcome.HIT]
    return Decision(
        verdict=Verdict.most_severe([hit.verdict for hit in hits]),
        score=round(float(sum(hit.weight for hit in hits)), 4),
        reasons=tuple(f"{hit.rule}: {hit.reason}" for hit in hits),
        entities=entities,
        list_status=context.list_status,
        rules=outcomes,
        duration_us=(time.perf_counter() - started) * 1e6,
    )


def warm_up(default_region: str) -> None:
    """Load what extraction loads lazily (suffix list, phone metadata), so the first
    request does not pay for it."""
    extract("warm up: www.example.com/x mail a@example.org call 555-123-4567", default_region)


def _run(rule: Rule, context: RuleContext) -> RuleOutcome:
    started = time.perf_counter()
    try:
        reason = rule.check(context)
    except Exception as error:  # a broken rule must not break the answer
        outcome, reason = Outcome.ERROR, f"{type(error).__name__}: {error}"
    else:
        outcome = Outcome.MISS if reason is None else Outcome.HIT
    elapsed = (time.perf_counter() - started) * 1e6
    return RuleOutcome(rule.name, outcome, rule.verdict, rule.weight, reason or "", elapsed)
