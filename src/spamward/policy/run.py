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


def run_policy(policy: Policy, env: Env, challenge_passed: bool = False) -> Judgement:
    """With `challenge_passed`, a challenge the rules or the score ask for is answered:
    the verdict is the most severe of the others (a block stays a block)."""
    outcomes, hits = _outcomes(policy, env)
    score = round(sum(rule.weight for rule in hits), 4)
    scored = policy.verdict_for(score)
    asked = [rule.verdict for rule in hits]
    candidates = [*asked, scored]
    if challenge_passed:
        candidates = [v for v in candidates if v is not Verdict.CHALLENGE]
    verdict = Verdict.most_severe(candidates)
    reasons = [f"{o.rule}: {o.reason}" for o in outcomes if o.outcome is _HIT]
    if scored is not Verdict.ALLOW:
        reasons.append(f"score {score:g} reaches the {scored} threshold")
    if challenge_passed and Verdict.CHALLENGE in (*asked, scored):
        reasons.append("challenge passed: the challenge asked for is answered")
    return Judgement(
        verdict=verdict,
        score=score,
        reasons=tuple(reasons),
        outcomes=tuple(
            o if o.outcome is not _SHADOW else _with_shadow_effect(policy, o, asked, score)
            for o in outcomes
        ),
        effects=_effects(hits) if hits else (),
        challenge=_challenge(hits) if verdict is Verdict.CHALLENGE else None,
        retry_after_seconds=_retry_after(hits) if verdict is Verdict.RATE_LIMIT else None,
    )


def _outcomes(policy: Policy, env: Env) -> tuple[list[RuleOutcome], list[CompiledRule]]:
    """Every rule's answer, timed, and the active rules that hit. One loop with no call per
    rule but the condition's own: it runs for every rule of every decision."""
    clock = time.perf_counter
    outcomes, hits = [], []
    for rule in policy.rules:
        started = clock()
        try:
            hit = rule.condition.test(env)
            reason = _reason(rule, env) if hit else ""
        except Exception as error:  # a broken rule must not break the answer
            outcome, reason = _ERROR, f"{type(error).__name__}: {error}"
        else:
            if not hit:
                outcome = _MISS
            elif rule.shadow:
                outcome = _SHADOW
            else:
                outcome = _HIT
                hits.append(rule)
        elapsed = (clock() - started) * 1e6
        outcomes.append(RuleOutcome(rule.name, outcome, rule.verdict, rule.weight, reason, elapsed))
    return outcomes, hits


_HIT, _MISS, _SHADOW, _ERROR = Outcome.HIT, Outcome.MISS, Outcome.SHADOW_HIT, Outcome.ERROR


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
    scored = policy.verdict_for(score + outcome.weight)
    would_be = Verdict.most_severe([*asked, outcome.verdict, scored])
    return outcome._replace(would_be=would_be)


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
