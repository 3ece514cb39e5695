"""Retraining a project's spam model with its moderators' labels: the new model goes live
only through the gate, and decisions then use it; too few labels is a clear refusal."""

from __future__ import annotations

import pytest

from spamward.domain.event import Actor, Content, Event, EventType
from spamward.errors import ValidationFailed
from spamward.model.linear import shipped_model
from spamward.runtime import Runtime
from spamward.services.decisions import decide
from spamward.services.labels import label_post
from spamward.services.retraining import MIN_LABELS, retrain
from spamward.services.spam_models import spam_model
from tests.conftest import ApiProject, Clock, corpus_file

# A site where links to its own docs are normal (the shipped model, trained on YouTube
# comments, finds link posts spammy) and where spam sells "gold coins".
HAM = [f"thanks, the answer is in goodsite.org/docs/page{n} as usual" for n in range(30)]
SPAM = [f"cheap gold coins for your raid, offer number {n}, message me" for n in range(30)]


def record_and_label(runtime: Runtime, clock: Clock, project: ApiProject) -> None:
    for text, spam in [(t, False) for t in HAM] + [(t, True) for t in SPAM]:
        event = Event(EventType.POST, Actor(user_id="u"), clock.now, Content(text))
        record = decide(runtime, project.id, event)
        assert record.event_id is not None
        label_post(runtime, project.id, record.event_id, spam, "moderator@test")
        clock.advance(seconds=1)


def test_a_retrained_model_passes_the_gate_and_decisions_use_it(
    runtime: Runtime, clock: Clock, project: ApiProject
) -> None:
    record_and_label(runtime, clock, project)
    ham = "thanks, the answer is in goodsite.org/docs/page99 as usual"
    before = shipped_model().probability(ham)

    outcome = retrain(runtime, project.id, corpus_file(), "test")

    assert outcome.passed
    assert outcome.version == 1
    assert outcome.labels == 60
    assert 0 < outcome.held_out < 60
    assert outcome.candidate.mcc >= outcome.live.mcc
    with runtime.database.read() as session:
        live = spam_model(runtime, session, project.id)
    assert live is not shipped_model()
    assert live.probability(ham) < before
    assert live.probability("cheap gold coins for your raid, message me") > 0.5


def test_too_few_labels_are_refused(runtime: Runtime, clock: Clock, project: ApiProject) -> None:
    event = Event(EventType.POST, Actor(user_id="u"), clock.now, Content("hello"))
    record = decide(runtime, project.id, event)
    assert record.event_id is not None
    label_post(runtime, project.id, record.event_id, False, "moderator@test")

    with pytest.raises(ValidationFailed, match=f"at least {MIN_LABELS} labelled posts"):
        retrain(runtime, project.id, corpus_file(), "test")

    with runtime.database.read() as session:
        assert spam_model(runtime, session, project.id) is shipped_model()
