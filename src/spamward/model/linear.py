"""The shipped spam model: a logistic model over the features of features.py, scored in
pure Python (a dictionary look-up per feature present, one exp).

    probability(text) = 1 / (1 + exp(-(intercept + Σ weight[f] / √n)))

where f runs over the n features of the text. The Platt calibration is folded into the
weights and intercept by training, so this is the calibrated probability.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from itertools import repeat
from pathlib import Path

from spamward.model.features import feature_names
from spamward.model.model_file import read_model

SHIPPED_MODEL = Path(__file__).resolve().parent / "data" / "spam_linear.json"


@dataclass(frozen=True, slots=True)
class LinearModel:
    """Weights by feature name, and an intercept, both on the logit scale."""

    weights: dict[str, float]
    intercept: float

    def logit(self, text: str) -> float:
        names = feature_names(text)
        total = sum(map(self.weights.get, names, repeat(0.0)))
        return self.intercept + total / math.sqrt(len(names))

    def probability(self, text: str) -> float:
        """The calibrated probability that `text` is spam, in [0, 1]."""
        return sigmoid(self.logit(text))


def load_model(path: Path) -> LinearModel:
    """A model file written by training (see model_file.py); ConfigError if it is not one."""
    weights, intercept = read_model(path)
    return LinearModel(weights, intercept)


@cache
def shipped_model() -> LinearModel:
    """The model in the package's data directory, read once per process (it never changes)."""
    return load_model(SHIPPED_MODEL)


def probability(text: str) -> float:
    """The shipped model's spam probability for a text."""
    return shipped_model().probability(text)


def sigmoid(logit: float) -> float:
    if logit >= 0:
        return 1.0 / (1.0 + math.exp(-logit))
    odds = math.exp(logit)
    return odds / (1.0 + odds)
