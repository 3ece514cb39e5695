"""Evaluation protocols: each fits models with fit.py and scores held-out texts with the
exported pure-Python model, so what is measured is what ships.

Duplicates never straddle a split: cross-validation runs on deduplicated examples, and texts
added to every training fold (another corpus) or held out by a fixed split are removed from
the training side when they also occur on the test side.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.model_selection import StratifiedKFold  # type: ignore[import-untyped]

from spamward.model.cleaning import duplicate_key
from spamward.model.corpora import Example, corpus_of
from spamward.model.features import features
from spamward.model.fit import Vectors, fit_model
from spamward.model.metrics import Scores, scores
from spamward.model.parameters import FitParameters


@dataclass(frozen=True)
class Predictions:
    """Held-out labels and calibrated probabilities, in the order of the tested examples."""

    examples: list[Example]
    probabilities: list[float]

    @property
    def labels(self) -> list[int]:
        return [example.label for example in self.examples]

    def scores(self) -> Scores:
        return scores(self.labels, self.probabilities)

    def where(self, keep: Callable[[Example], bool]) -> Predictions:
        """The predictions of the examples `keep` accepts, in order."""
        pairs = [
            (example, probability)
            for example, probability in zip(self.examples, self.probabilities, strict=True)
            if keep(example)
        ]
        return Predictions([e for e, _ in pairs], [p for _, p in pairs])


def source_is(source: str) -> Callable[[Example], bool]:
    return lambda example: example.source == source


def corpus_is(corpus: str) -> Callable[[Example], bool]:
    return lambda example: corpus_of(example) == corpus


def held_out(
    train: Sequence[Example],
    test: Sequence[Example],
    parameters: FitParameters,
    vectors: Vectors = features,
) -> Predictions:
    """Fit on `train` less any text that is also in `test`, then score `test`."""
    model = fit_model(without_overlap(train, test), parameters, vectors).model
    return Predictions(list(test), [model.probability(example.text) for example in test])


def cross_validated(
    examples: Sequence[Example],
    parameters: FitParameters,
    folds: int = 10,
    also_train: Sequence[Example] = (),
    vectors: Vectors = features,
) -> Predictions:
    """k-fold, stratified by corpus and label and shuffled with the parameters' seed, over
    deduplicated `examples`; `also_train` joins every training fold. Predictions come back
    in `examples` order."""
    strata = np.array([f"{corpus_of(example)}:{example.label}" for example in examples])
    splitter = StratifiedKFold(folds, shuffle=True, random_state=parameters.seed)
    probabilities = [0.0] * len(examples)
    for train_rows, test_rows in splitter.split(np.zeros(len(strata)), strata):
        test = [examples[row] for row in test_rows]
        train = [examples[row] for row in train_rows] + list(also_train)
        predicted = held_out(train, test, parameters, vectors).probabilities
        for row, probability in zip(test_rows, predicted, strict=True):
            probabilities[row] = probability
    return Predictions(list(examples), probabilities)


def without_overlap(train: Sequence[Example], test: Sequence[Example]) -> list[Example]:
    """The training examples whose text (case and spacing ignored) is not in `test`."""
    tested = {duplicate_key(example.text) for example in test}
    return [example for example in train if duplicate_key(example.text) not in tested]
