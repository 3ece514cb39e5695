"""`spamward train`: fit the shipped model on the deduplicated YouTube (five videos) and SMS
corpora, and write the model file with its record next to it.

The record's evaluation is the recipe's 10-fold cross-validation on the same training data
(overall and per corpus, with calibration: Brier score and a reliability table), and the
final model's scores on the TubeSpam extra videos, which it never trains on.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

from spamward.model import corpora
from spamward.model.corpora import Example, deduplicate
from spamward.model.evaluate import cv_summary, out_of_distribution
from spamward.model.features import features
from spamward.model.fit import Fitted, Vectors, fit_model
from spamward.model.model_file import model_bytes, pretty_json, record_path
from spamward.model.parameters import FitParameters
from spamward.model.protocols import Predictions, corpus_is, cross_validated
from spamward.model.record import data_files, training_record

CV_FOLDS = 10


def train(directory: Path, output: Path, parameters: FitParameters) -> dict[str, Any]:
    """Fit, evaluate, and write `output` and its `.record.json`; returns the record."""
    read = corpora.youtube_examples(directory) + corpora.sms_examples(directory)
    training = deduplicate(read)
    vectors = cache(features)
    fitted = fit_model(training, parameters, vectors)
    evaluation = {
        "cross_validation": _cross_validation(training, parameters, vectors),
        "out_of_distribution": _out_of_distribution(directory, fitted),
    }
    files = [f"{corpora.YOUTUBE_DIR}/{name}" for name in corpora.YOUTUBE_FILES]
    counts = data_files(directory, [*files, corpora.SMS_FILE], _sources(read), _sources(training))
    record = training_record(counts, training, parameters, fitted, evaluation)
    written = model_bytes(fitted.model.weights, fitted.model.intercept)
    record["model"]["file_sha256"] = hashlib.sha256(written).hexdigest()
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(written)
    record_path(output).write_bytes(pretty_json(record))
    return record


def _cross_validation(
    training: list[Example], parameters: FitParameters, vectors: Vectors
) -> dict[str, Any]:
    predictions = cross_validated(training, parameters, CV_FOLDS, vectors=vectors)
    by_corpus = {
        corpus: cv_summary(predictions.where(corpus_is(corpus))) for corpus in ("youtube", "sms")
    }
    return {"folds": CV_FOLDS, "all": cv_summary(predictions)} | by_corpus


def _out_of_distribution(directory: Path, fitted: Fitted) -> dict[str, Any]:
    extra = corpora.extra_examples(directory)
    probabilities = [fitted.model.probability(example.text) for example in extra]
    report = out_of_distribution(Predictions(extra, probabilities))
    report["sha256"] = corpora.sha256_of(directory / corpora.EXTRA_FILE)
    return report


def _sources(examples: Sequence[Example]) -> Counter[str]:
    return Counter(example.source for example in examples)
