"""Fit the linear model with scikit-learn and fold its calibration into the weights.

1. each text becomes its features (features.py), as a sparse matrix over sorted names;
2. each corpus weighs in proportion to `corpus_weights` (YouTube 1, SMS 0.5: SMS has three
   times as many texts, and its style is not the one spamward mostly sees);
3. an L2-regularised logistic regression (liblinear, seeded) is fitted;
4. Platt scaling: a one-feature logistic regression on out-of-fold scores (stratified
   k-fold, seeded) gives a slope a and an offset c; the exported model is a·w and a·b + c;
5. weights under `prune_below` in absolute value are dropped (a few hundredths of a
   probability at most, measured in the record).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse  # type: ignore[import-untyped]
from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]
from sklearn.model_selection import StratifiedKFold  # type: ignore[import-untyped]

from spamward.model.corpora import Example, corpus_of
from spamward.model.features import features
from spamward.model.linear import LinearModel
from spamward.model.parameters import FitParameters

Vectors = Callable[[str], dict[str, float]]


@dataclass(frozen=True)
class Fitted:
    """The exported model, and what calibration found (slope a, offset c)."""

    model: LinearModel
    calibration_slope: float
    calibration_offset: float
    vocabulary_size: int


def fit_model(
    examples: Sequence[Example], parameters: FitParameters, vectors: Vectors = features
) -> Fitted:
    """Fit, calibrate and prune; `vectors` is features.features (or a cache of it)."""
    vocabulary, matrix = vectorise([vectors(example.text) for example in examples])
    labels = np.array([example.label for example in examples])
    weights = sample_weights(examples, parameters.corpus_weights)
    classifier = _classifier(parameters).fit(matrix, labels, sample_weight=weights)
    scores = _out_of_fold_scores(matrix, labels, weights, parameters)
    slope, offset = _platt(scores, labels, weights)
    coefficients = classifier.coef_[0] * slope
    kept = {
        name: float(coefficients[index])
        for name, index in vocabulary.items()
        if abs(coefficients[index]) >= parameters.prune_below
    }
    intercept = float(classifier.intercept_[0]) * slope + offset
    return Fitted(LinearModel(kept, intercept), slope, offset, len(vocabulary))


def vectorise(rows: Sequence[dict[str, float]]) -> tuple[dict[str, int], sparse.csr_matrix]:
    """A CSR matrix over the sorted feature names, indices sorted (int32, as liblinear wants):
    the same rows always give the same matrix, whatever the hash seed."""
    names = sorted({name for row in rows for name in row})
    vocabulary = {name: index for index, name in enumerate(names)}
    indptr, indices, values = [0], [], []
    for row in rows:
        for index, name in sorted((vocabulary[name], name) for name in row):
            indices.append(index)
            values.append(row[name])
        indptr.append(len(indices))
    arrays = (np.array(values), np.array(indices, np.int32), np.array(indptr, np.int32))
    return vocabulary, sparse.csr_matrix(arrays, shape=(len(rows), len(vocabulary)))


def sample_weights(examples: Sequence[Example], corpus_weights: dict[str, float]) -> np.ndarray:
    """Each corpus's examples share its part of `corpus_weights`; the mean weight is 1."""
    sizes = Counter(corpus_of(example) for example in examples)
    total = sum(corpus_weights[corpus] for corpus in sizes)
    raw = [corpus_weights[corpus_of(e)] / total / sizes[corpus_of(e)] for e in examples]
    return np.array(raw) * len(examples)


def _classifier(parameters: FitParameters) -> LogisticRegression:
    return LogisticRegression(
        C=parameters.c, solver="liblinear", max_iter=10_000, random_state=parameters.seed
    )


def _out_of_fold_scores(
    matrix: sparse.csr_matrix, labels: np.ndarray, weights: np.ndarray, parameters: FitParameters
) -> np.ndarray:
    folds = StratifiedKFold(
        parameters.calibration_folds, shuffle=True, random_state=parameters.seed
    )
    scores = np.zeros(len(labels))
    for train, test in folds.split(np.zeros(len(labels)), labels):
        classifier = _classifier(parameters)
        classifier.fit(matrix[train], labels[train], sample_weight=weights[train])
        scores[test] = classifier.decision_function(matrix[test])
    return scores


def _platt(scores: np.ndarray, labels: np.ndarray, weights: np.ndarray) -> tuple[float, float]:
    """Calibrated on the same weighted mix of corpora as the fit."""
    calibrator = LogisticRegression(C=1e6, solver="lbfgs", max_iter=1_000)
    calibrator.fit(scores.reshape(-1, 1), labels, sample_weight=weights)
    return float(calibrator.coef_[0][0]), float(calibrator.intercept_[0])
