"""The evaluation report: the YouTube authors' 70/30 split, 10-fold cross-validation on the
deduplicated YouTube and SMS corpora, and the TubeSpam extra videos out of distribution.

Every figure comes from models fitted with the shipped recipe (fit.py) and scored by the
pure-Python model; the report is a JSON-ready dictionary (report.py prints it as text).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from statistics import fmean
from typing import Any

from spamward.model import corpora
from spamward.model.corpora import Example, deduplicate
from spamward.model.features import features
from spamward.model.fit import Vectors
from spamward.model.metrics import reliability
from spamward.model.parameters import FitParameters
from spamward.model.protocols import Predictions, cross_validated, held_out, source_is

FOLDS = 10
AUTHORS_TRAINING = {
    "per_video": "each video's own train part (the authors' protocol)",
    "pooled": "the train parts of all five videos",
    "pooled_with_sms": "the train parts of all five videos + deduplicated SMS (shipped recipe)",
}


def evaluate(directory: Path, parameters: FitParameters) -> dict[str, Any]:
    """All four protocols on the corpora in `directory`."""
    vectors = cache(features)  # each text's features are computed once for all the fits
    youtube = corpora.youtube_examples(directory)
    sms = deduplicate(corpora.sms_examples(directory))
    unique_youtube = deduplicate(youtube)
    extra = corpora.extra_examples(directory)
    return {
        "authors_split": authors_split(directory, youtube, sms, parameters, vectors),
        "youtube_cv": _cv_pair(unique_youtube, sms, "sms", parameters, vectors),
        "sms_cv": _cv_pair(sms, unique_youtube, "youtube", parameters, vectors),
        "out_of_distribution": out_of_distribution(
            held_out(unique_youtube + sms, extra, parameters, vectors)
        ),
    }


def authors_split(
    directory: Path,
    youtube: list[Example],
    sms: list[Example],
    parameters: FitParameters,
    vectors: Vectors,
) -> dict[str, Any]:
    """Per video: the authors' test part, scored by models trained three ways."""
    split = corpora.authors_split(directory)
    train = [example for example in youtube if split[example.source, example.row] == "train"]
    report: dict[str, Any] = {}
    for way, description in AUTHORS_TRAINING.items():
        videos = {}
        for name in sorted({example.source for example in youtube}):
            test = [e for e in youtube if e.source == name and split[name, e.row] == "test"]
            own = [example for example in train if example.source == name]
            training = {"per_video": own, "pooled": train, "pooled_with_sms": train + sms}[way]
            predictions = held_out(training, test, parameters, vectors)
            videos[video_name(name)] = predictions.scores().as_dict()
        report[way] = {"training": description, "videos": videos, "mean": _mean(videos)}
    return report


def out_of_distribution(predictions: Predictions) -> dict[str, Any]:
    """Scores on texts never trained on, overall and per video, with a reliability table."""
    videos = sorted({example.source for example in predictions.examples})
    return {
        "training": "deduplicated YouTube (five videos) + SMS",
        "all": predictions.scores().as_dict(),
        "videos": {name: predictions.where(source_is(name)).scores().as_dict() for name in videos},
        "reliability": reliability(predictions.labels, predictions.probabilities),
    }


def video_name(file_name: str) -> str:
    """`Youtube01-Psy.csv` → `Psy`."""
    return file_name.removesuffix(".csv").split("-", 1)[-1]


def cv_summary(predictions: Predictions) -> dict[str, Any]:
    return {
        "scores": predictions.scores().as_dict(),
        "reliability": reliability(predictions.labels, predictions.probabilities),
    }


def _cv_pair(
    examples: list[Example],
    other: list[Example],
    other_name: str,
    parameters: FitParameters,
    vectors: Vectors,
) -> dict[str, Any]:
    alone = cross_validated(examples, parameters, FOLDS, vectors=vectors)
    joined = cross_validated(examples, parameters, FOLDS, also_train=other, vectors=vectors)
    return {"folds": FOLDS, "alone": cv_summary(alone), f"with_{other_name}": cv_summary(joined)}


def _mean(videos: dict[str, dict[str, Any]]) -> dict[str, float]:
    names = ("accuracy", "precision", "recall", "f1", "mcc", "roc_auc", "brier")
    return {name: round(fmean(scores[name] for scores in videos.values()), 4) for name in names}
