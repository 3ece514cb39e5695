"""The training recipe's settings, in a module of their own so that the CLI can name them
without importing scikit-learn."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FitParameters:
    """C: inverse L2 strength; corpus_weights: each corpus's share of the total weight;
    calibration_folds: folds of the out-of-fold scores Platt scaling is fitted on;
    prune_below: smallest absolute weight kept; seed: every shuffle (liblinear, folds)."""

    c: float = 10.0
    corpus_weights: dict[str, float] = field(default_factory=lambda: {"youtube": 1.0, "sms": 0.5})
    calibration_folds: int = 5
    prune_below: float = 0.05
    seed: int = 2015
