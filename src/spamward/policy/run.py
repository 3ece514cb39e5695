"""Running a policy over one decision context: every rule answers, then one place decides.

The most severe verdict among active hits and the score's verdict wins; effects are the
union of the active hits' effects. Shadow hits are recorded with the verdict they would
have caused, and never change the answer. A rule that raises is recorded as `error`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from spamward.domain.decision import EffectRequest, Outcome, RuleOutcome
from spamward.domain.verdict import Verdict
from spamward.policy.compiled import CompiledRule, Policy
from spamward.policy.document import DEFAULT_RETRY_AFTER_SECONDS, ChallengeKind
from spamward.policy.types import Env


@dataclass(frozen=True, slots=True)
class Judgement:
    verdict: Verdict
    score: float
    reasons: tuple[str, ...]
    outcomes: tuple[RuleOutcome, ...]
    effects: tuple[EffectRequest, ...]
    challenge: str | None
    retry_after_seconds: int | None


def run_policy(policy: Policy, env: Env) -> Judgement:
    outcomes = tuple(_run(rule, env) for rule in policy.rules)
    pairs = zip(policy.rules, outcomes, strict=True)
    hits = [rule for rule, outcome in pairs if outcome.outcome is Outcome.HIT]
    score = round(sum(rule.spec.weight for rule in hits), 4)
    scored = policy.verdict_for(score)
    asked = [rule.spec.verdict for rule in hits]
    verdict = Verdict.most_severe([*asked, scored])
    reasons = [f"{o.rule}: {o.reason}" for o in outcomes if o.outcome is Outcome.HIT]
    if scored is not Verdict.ALLOW:
        reasons.append(f"score {score:g} reaches the {scored} threshold")
    return Judgement(
        verdict=verdict,
        score=score,
        reasons=tuple(reasons),
        outcomes=tuple(_with_shadow_effect(policy, o, asked, score) for o in outcomes),
        effects=_effects(hits),
        challenge=_challenge(hits) if verdict is Verdict.CHALLENGE else None,
        retry_after_seconds=_retry_after(hits) if verdict is Verdict.RATE_LIMIT else None,
    )


def _run(rule: CompiledRule, env: Env) -> RuleOutcome:
    spec = rule.spec
    started = time.perf_counter()
    reason = ""
    try:
        hit = rule.condition.test(env)
        if hit:
            reason = _reason(rule, env)
    except Exception as error:  # a broken rule must not break the answer
        outcome, reason = Outcome.ERROR, f"{type(error).__name__}: {error}"
    else:
        outcome = Outcome.MISS if not hit else Outcome.SHADOW_HIT if rule.shadow else Outcome.HIT
    elapsed = (time.perf_counter() - started) * 1e6
    return RuleOutcome(spec.name, outcome, spec.verdict, spec.weight, reason, elapsed)


def _reason(rule: CompiledRule, env: Env) -> str:
    text = rule.spec.reason_text()
    try:
        matched = [item for explain in rule.condition.explainers for item in explain(env)]
    except Exception:  # explaining walks every entity; the hit stands without the list
        return text
    return f"{text} {', '.join(dict.fromkeys(matched))}" if matched else text


def _with_shadow_effect(
    policy: Policy, outcome: RuleOutcome, asked: list[Verdict], score: float
) -> RuleOutcome:
    """A shadow hit with the verdict the decision would have had with the rule active."""
    if outcome.outcome is not Outcome.SHADOW_HIT:
        return outcome
    scored = policy.verdict_for(score + outcome.weight)
    would_be = Verdict.most_severe([*asked, outcome.verdict, scored])

    return RuleOutcome(
        outcome.rule,
        outcome.outcome,
        outcome.verdict,
        outcome.weight,
        outcome.reason,
        outcome.duration_us,
        would_be=would_be,
    )


def _effects(hits: list[CompiledRule]) -> tuple[EffectRequest, ...]:
    """Every effect the hits ask for, once, credited to the first rule that asked."""
    requested: dict[object, EffectRequest] = {}
    for rule in hits:
        for effect in rule.spec.effects:
            request = EffectRequest(effect.action, dict(effect.params), rule.spec.name)
            requested.setdefault(effect.key(), request)
    return tuple(requested.values())


def _challenge(hits: list[CompiledRule]) -> str:
    asked = [rule.spec.challenge for rule in hits if rule.spec.verdict is Verdict.CHALLENGE]
    return str(next((kind for kind in asked if kind), ChallengeKind.CAPTCHA))


def _retry_after(hits: list[CompiledRule]) -> int:
    asked = [
        rule.spec.retry_after_seconds or DEFAULT_RETRY_AFTER_SECONDS
        for rule in hits
        if rule.spec.verdict is Verdict.RATE_LIMIT
    ]
    return max(asked, default=DEFAULT_RETRY_AFTER_SECONDS)
