"""Retraining a project's spam model with its moderators' labels, behind a gate.

The candidate learns from the shipped corpora (YouTube + SMS) and four fifths of the
project's labels; the other fifth (chosen by a hash of each text, so the same labels always
split alike, and kept out of training with its duplicates) is the held-out set. The
candidate replaces the project's live model only if its MCC on that set is no worse than
the live model's; either way the outcome says both scores.
"""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from spamward.errors import ValidationFailed
from spamward.model.cleaning import duplicate_key
from spamward.model.corpora import Example, deduplicate, sms_examples, youtube_examples
from spamward.model.metrics import Scores, scores
from spamward.model.model_file import model_bytes
from spamward.model.parameters import FitParameters
from spamward.runtime import Runtime
from spamward.services.labels import labelled_texts
from spamward.services.spam_models import spam_model
from spamward.signals.reader import SpamModel
from spamward.storage.repositories import spam_models as repo

MIN_LABELS = 20
HELD_OUT_ONE_IN = 5
PROJECT_SOURCE = "project"


@dataclass(frozen=True, slots=True)
class RetrainOutcome:
    passed: bool
    version: int | None  # the new live version when it passed
    labels: int
    held_out: int
    live: Scores  # the model in use, on the held-out labels
    candidate: Scores

    def to_json(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "version": self.version,
            "labels": self.labels,
            "held_out": self.held_out,
            "live": asdict(self.live),
            "candidate": asdict(self.candidate),
        }


def retrain(runtime: Runtime, project_id: int, corpora_dir: Path, who: str) -> RetrainOutcome:
    from spamward.model.fit import fit_model  # noqa: PLC0415 (scikit-learn: only here)

    labelled = _project_examples(runtime, project_id)
    held_out = [e for e in labelled if _held_out(e.text)]
    if len(labelled) < MIN_LABELS or not held_out:
        raise ValidationFailed(
            f"retraining needs at least {MIN_LABELS} labelled posts, some held out "
            f"(this project has {len(labelled)}): label posts first"
        )
    base = deduplicate(youtube_examples(corpora_dir) + sms_examples(corpora_dir))
    training = _without(base + [e for e in labelled if not _held_out(e.text)], held_out)
    candidate = fit_model(training, FitParameters()).model
    with runtime.database.read() as session:
        live = spam_model(runtime, session, project_id)
    live_scores, candidate_scores = _score(live, held_out), _score(candidate, held_out)
    passed = candidate_scores.mcc >= live_scores.mcc
    version = None
    if passed:
        version = _store(runtime, project_id, candidate.weights, candidate.intercept, who,
                         len(labelled), live_scores, candidate_scores)  # fmt: skip
    return RetrainOutcome(passed, version, len(labelled), len(held_out), live_scores,
                          candidate_scores)  # fmt: skip


def _project_examples(runtime: Runtime, project_id: int) -> list[Example]:
    texts = labelled_texts(runtime, project_id)
    examples = [Example(text, int(spam), PROJECT_SOURCE, row) for row, (text, spam) in
                enumerate(texts)]  # fmt: skip
    return deduplicate(examples)


def _held_out(text: str) -> bool:
    digest = hashlib.sha256(duplicate_key(text).encode()).digest()
    return digest[0] % HELD_OUT_ONE_IN == 0


def _without(training: list[Example], held_out: list[Example]) -> list[Example]:
    tested = {duplicate_key(e.text) for e in held_out}
    return [e for e in training if duplicate_key(e.text) not in tested]


def _score(model: SpamModel, examples: list[Example]) -> Scores:
    return scores([e.label for e in examples], [model.probability(e.text) for e in examples])


def _store(
    runtime: Runtime, project_id: int, weights: dict[str, float], intercept: float, who: str,
    labels: int, live: Scores, candidate: Scores,
) -> int:  # fmt: skip
    record = {"labels": labels, "live": asdict(live), "candidate": asdict(candidate),
              "parameters": asdict(FitParameters())}  # fmt: skip
    data = gzip.compress(model_bytes(weights, intercept), mtime=0)
    with runtime.database.write() as session:
        return repo.insert_model(session, project_id, data, record, who, runtime.clock())
