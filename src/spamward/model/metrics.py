"""Scores of probabilities against labels, in plain Python: the classification figures at a
threshold, ROC AUC, and calibration (Brier score and a reliability table)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

THRESHOLD = 0.5


@dataclass(frozen=True, slots=True)
class Scores:
    """Classification figures at `threshold` (spam is the positive class)."""

    rows: int
    spam: int
    accuracy: float
    precision: float
    recall: float
    f1: float
    mcc: float
    roc_auc: float
    brier: float

    def as_dict(self) -> dict[str, Any]:
        return {key: _rounded(value) for key, value in asdict(self).items()}


def scores(labels: Sequence[int], probabilities: Sequence[float]) -> Scores:
    """All figures at once; `labels` are 1 for spam, 0 for ham."""
    predicted = [int(probability >= THRESHOLD) for probability in probabilities]
    tp = sum(1 for label, guess in zip(labels, predicted, strict=True) if label and guess)
    fp = sum(predicted) - tp
    fn = sum(labels) - tp
    tn = len(labels) - tp - fp - fn
    precision = _ratio(tp, tp + fp)
    recall = _ratio(tp, tp + fn)
    return Scores(
        rows=len(labels),
        spam=sum(labels),
        accuracy=_ratio(tp + tn, len(labels)),
        precision=precision,
        recall=recall,
        f1=_ratio(2 * precision * recall, precision + recall),
        mcc=_mcc(tp, fp, fn, tn),
        roc_auc=roc_auc(labels, probabilities),
        brier=brier(labels, probabilities),
    )


def roc_auc(labels: Sequence[int], probabilities: Sequence[float]) -> float:
    """The chance that a random spam scores above a random ham (ties count half)."""
    ranked = sorted(zip(probabilities, labels, strict=True))
    spam = sum(labels)
    ham = len(labels) - spam
    if not spam or not ham:
        return math.nan
    rank_sum = 0.0
    start = 0
    while start < len(ranked):
        end = start
        while end < len(ranked) and ranked[end][0] == ranked[start][0]:
            end += 1
        average_rank = (start + 1 + end) / 2
        rank_sum += average_rank * sum(label for _, label in ranked[start:end])
        start = end
    return (rank_sum - spam * (spam + 1) / 2) / (spam * ham)


def brier(labels: Sequence[int], probabilities: Sequence[float]) -> float:
    pairs = zip(labels, probabilities, strict=True)
    return sum((p - y) ** 2 for y, p in pairs) / len(labels) if labels else math.nan


def reliability(
    labels: Sequence[int], probabilities: Sequence[float], bins: int = 10
) -> list[dict[str, Any]]:
    """Per probability bin [k/bins, (k+1)/bins): rows, mean predicted, observed spam share."""
    table = []
    for index in range(bins):
        inside = [
            (label, probability)
            for label, probability in zip(labels, probabilities, strict=True)
            if min(int(probability * bins), bins - 1) == index
        ]
        if inside:
            table.append(_bin_row(index, bins, inside))
    return table


def _bin_row(index: int, bins: int, inside: list[tuple[int, float]]) -> dict[str, Any]:
    return {
        "bin": f"{index / bins:.1f}-{(index + 1) / bins:.1f}",
        "rows": len(inside),
        "predicted": round(sum(p for _, p in inside) / len(inside), 4),
        "observed": round(sum(label for label, _ in inside) / len(inside), 4),
    }


def _mcc(tp: int, fp: int, fn: int, tn: int) -> float:
    denominator = math.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn))
    return (tp * tn - fp * fn) / denominator if denominator else 0.0


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else 0.0


def _rounded(value: float | int) -> float | int | None:
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 4)
    return value
