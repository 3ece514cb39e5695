"""The evaluation report and the training record as text, for people (`--json` prints the
same data as JSON)."""

from __future__ import annotations

from typing import Any

_COLUMNS = ("accuracy", "precision", "recall", "f1", "mcc", "roc_auc", "brier")
_HEADER = f"{'':<26}{'rows':>6}{'spam':>6}" + "".join(f"{name:>10}" for name in _COLUMNS)


def evaluation_lines(report: dict[str, Any]) -> list[str]:
    lines = ["Authors' 70/30 split (test parts as published; training texts also in a test part"]
    lines.append("left out). Each training way scores the five test parts:")
    for way in report["authors_split"].values():
        lines += ["", f"  trained on {way['training']}", _HEADER]
        lines += [score_row(name, scores) for name, scores in way["videos"].items()]
        lines.append(score_row("mean of the five videos", way["mean"]))
    lines += _cv_lines("YouTube, 5 videos deduplicated", report["youtube_cv"])
    lines += _cv_lines("SMS deduplicated", report["sms_cv"])
    ood = report["out_of_distribution"]
    lines += ["", f"Out of distribution: TubeSpam 2014 extra videos, trained on {ood['training']}"]
    lines += [_HEADER, score_row("all", ood["all"])]
    lines += [score_row(name, scores) for name, scores in ood["videos"].items()]
    lines += reliability_lines(ood["reliability"])
    return lines


def record_lines(record: dict[str, Any], model_path: str) -> list[str]:
    data, model = record["data"], record["model"]
    lines = [f"model written to {model_path} (sha256 {model['file_sha256'][:16]}...)"]
    lines.append(
        f"trained on {data['training_rows']} texts ({data['spam']} spam, {data['ham']} ham); "
        f"{model['weights_kept']} of {model['vocabulary']} weights kept"
    )
    lines += [
        f"  {f['path']}: {f['rows']} rows, {f['rows_loaded']} loaded, {f['rows_kept']} kept"
        for f in data["files"]
    ]
    evaluation = record["evaluation"]["cross_validation"]
    lines += ["", f"{evaluation['folds']}-fold cross-validation on the training data:", _HEADER]
    lines += [score_row(part, evaluation[part]["scores"]) for part in ("all", "youtube", "sms")]
    lines.append(
        score_row("out of distribution", record["evaluation"]["out_of_distribution"]["all"])
    )
    return lines + reliability_lines(evaluation["all"]["reliability"])


def score_row(label: str, scores: dict[str, Any]) -> str:
    counts = f"{scores.get('rows', ''):>6}{scores.get('spam', ''):>6}"
    return f"  {label:<24}{counts}" + "".join(_figure(scores[name]) for name in _COLUMNS)


def reliability_lines(table: list[dict[str, Any]]) -> list[str]:
    lines = ["  reliability: bin, rows, mean predicted, observed spam share"]
    for row in table:
        lines.append(
            f"    {row['bin']:<9}{row['rows']:>6}{row['predicted']:>10.3f}{row['observed']:>10.3f}"
        )
    return lines


def _cv_lines(title: str, section: dict[str, Any]) -> list[str]:
    lines = ["", f"{title}: stratified {section['folds']}-fold cross-validation", _HEADER]
    for part, summary in section.items():
        if part != "folds":
            lines.append(score_row(part.replace("_", " "), summary["scores"]))
    return lines


def _figure(value: float | None) -> str:
    return f"{'n/a':>10}" if value is None else f"{value:>10.4f}"
