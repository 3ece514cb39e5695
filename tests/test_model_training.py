"""Training and evaluation on a small copy of the corpora (same layout, a few hundred rows):
training is reproducible to the byte, its record says what it read, the evaluation reports
every figure, and no duplicate text is ever on both sides of a split."""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner
from sklearn import metrics as sk  # type: ignore[import-untyped]

from spamward.cli_model import evaluate, train
from spamward.model import corpora, protocols
from spamward.model.cleaning import duplicate_key
from spamward.model.corpora import Example, deduplicate
from spamward.model.fit import Fitted, fit_model, sample_weights
from spamward.model.metrics import scores
from spamward.model.parameters import FitParameters
from spamward.model.report import evaluation_lines
from spamward.model.train import train as run_training
from tests.conftest import corpus_file

FIGURES = {"accuracy", "precision", "recall", "f1", "mcc", "roc_auc", "brier"}
CORRUPTED_ROW = 269  # Youtube04-Eminem.csv, a train row in the authors' split
PER_CLASS = {"train": 20, "test": 8}


def _selected_rows(records: list[dict[str, str]], split: dict[int, str], name: str) -> list[int]:
    taken: dict[tuple[str, str], int] = {}
    rows = []
    for row, record in enumerate(records):
        part = (split[row], record["CLASS"])
        if taken.get(part, 0) < PER_CLASS[split[row]]:
            taken[part] = taken.get(part, 0) + 1
            rows.append(row)
    return sorted({*rows, CORRUPTED_ROW}) if name.startswith("Youtube04") else rows


def _write_csv(path: Path, records: Sequence[dict[str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(records[0]))
        writer.writeheader()
        writer.writerows(records)


def _copy_youtube(source: Path, target: Path) -> None:
    split_rows = list(csv.DictReader(source.joinpath(corpora.AUTHORS_SPLIT).open(newline="")))
    new_split = []
    for name in corpora.YOUTUBE_FILES:
        records = list(csv.DictReader(source.joinpath(name).open(encoding="utf-8", newline="")))
        split = {int(r["row_index"]): r["split"] for r in split_rows if r["file"] == name}
        rows = _selected_rows(records, split, name)
        _write_csv(target / name, [records[row] for row in rows])
        for new, row in enumerate(rows):
            entry = {"file": name, "row_index": str(new), "COMMENT_ID": records[row]["COMMENT_ID"]}
            new_split.append(entry | {"CLASS": records[row]["CLASS"], "split": split[row]})
    _write_csv(target / corpora.AUTHORS_SPLIT, new_split)


@pytest.fixture(scope="module")
def small_corpora(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """About 300 YouTube rows (the corrupted Eminem row among them), 400 SMS, 84 extra."""
    source = corpus_file("youtube_spam_collection", corpora.AUTHORS_SPLIT).parents[1]
    corpus_file(*corpora.SMS_FILE.split("/"))
    corpus_file(*corpora.EXTRA_FILE.split("/"))
    target = tmp_path_factory.mktemp("corpora")
    _copy_youtube(source / corpora.YOUTUBE_DIR, target / corpora.YOUTUBE_DIR)
    sms = (source / corpora.SMS_FILE).read_text(encoding="utf-8").splitlines()[:400]
    (target / corpora.SMS_FILE).parent.mkdir()
    (target / corpora.SMS_FILE).write_text("\n".join(sms), encoding="utf-8")
    extra = list(csv.DictReader((source / corpora.EXTRA_FILE).open(encoding="utf-8", newline="")))
    _write_csv(target / corpora.EXTRA_FILE, extra[::10])
    return target


def test_training_twice_writes_the_same_bytes(small_corpora: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "a" / "model.json", tmp_path / "b" / "model.json"
    record = run_training(small_corpora, first, FitParameters())
    run_training(small_corpora, second, FitParameters())
    assert first.read_bytes() == second.read_bytes()
    assert (tmp_path / "a" / "model.record.json").read_bytes() == (
        tmp_path / "b" / "model.record.json"
    ).read_bytes()
    assert record["model"]["weights_kept"] == len(json.loads(first.read_bytes())["weights"])


def test_the_record_says_what_was_read_and_how_well_it_scores(
    small_corpora: Path, tmp_path: Path
) -> None:
    output = tmp_path / "model.json"
    result = CliRunner().invoke(train, ["--corpora", str(small_corpora), "--output", str(output)])
    assert result.exit_code == 0, result.output
    assert "out of distribution" in result.stdout
    record = json.loads((tmp_path / "model.record.json").read_text())
    files = {Path(entry["path"]).name: entry for entry in record["data"]["files"]}
    eminem = files["Youtube04-Eminem.csv"]
    assert eminem["rows"] == eminem["rows_loaded"] + 1  # the corrupted row
    assert all(len(entry["sha256"]) == 64 for entry in files.values())
    assert record["data"]["training_rows"] == sum(entry["rows_kept"] for entry in files.values())
    assert record["parameters"]["seed"] == FitParameters().seed
    cross_validation = record["evaluation"]["cross_validation"]
    for part in ("all", "youtube", "sms"):
        assert set(cross_validation[part]["scores"]) >= FIGURES
        assert cross_validation[part]["reliability"]
    assert set(record["evaluation"]["out_of_distribution"]["all"]) >= FIGURES


def test_evaluate_reports_every_protocol_and_figure(small_corpora: Path) -> None:
    result = CliRunner().invoke(evaluate, ["--corpora", str(small_corpora), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    authors = report["authors_split"]
    assert set(authors) == {"per_video", "pooled", "pooled_with_sms"}
    for way in authors.values():
        assert set(way["videos"]) == {"Psy", "KatyPerry", "LMFAO", "Eminem", "Shakira"}
        assert set(way["mean"]) >= FIGURES
        assert all(scores["rows"] == 16 for scores in way["videos"].values())
    for section, other in (("youtube_cv", "with_sms"), ("sms_cv", "with_youtube")):
        for part in ("alone", other):
            figures = report[section][part]["scores"]
            assert set(figures) >= FIGURES
            assert 0.5 < figures["roc_auc"] <= 1.0
    assert set(report["out_of_distribution"]["all"]) >= FIGURES
    text = "\n".join(evaluation_lines(report))
    assert "mean of the five videos" in text
    assert "Out of distribution" in text


def test_duplicates_never_straddle_a_split(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = [f"comment number {n} {'subscribe' if n % 2 else 'nice song'}" for n in range(60)]
    examples = deduplicate(Example(text, n % 2, "v.csv", n) for n, text in enumerate(texts))
    also = [Example("COMMENT  number 3 subscribe", 1, "SMSSpamCollection", 0)]  # a duplicate
    calls: list[tuple[list[Example], list[Example]]] = []

    def recording_fit(train: Sequence[Example], *args: Any) -> Fitted:
        calls.append((list(train), []))
        return fit_model(train, *args)

    real_held_out = protocols.held_out

    def recording_held_out(train: Sequence[Example], test: Sequence[Example], *args: Any) -> Any:
        predictions = real_held_out(train, test, *args)
        calls[-1][1].extend(test)
        return predictions

    monkeypatch.setattr(protocols, "fit_model", recording_fit)
    monkeypatch.setattr(protocols, "held_out", recording_held_out)
    predictions = protocols.cross_validated(examples, FitParameters(), folds=5, also_train=also)
    assert len(calls) == 5
    tested = [example for _, test in calls for example in test]
    assert sorted(tested, key=lambda e: e.row) == examples  # each example tested exactly once
    for train_part, test_part in calls:
        assert not {duplicate_key(e.text) for e in train_part} & {
            duplicate_key(e.text) for e in test_part
        }
    assert len(predictions.probabilities) == len(examples)


def test_metrics_agree_with_scikit_learn() -> None:
    generator = np.random.default_rng(7)
    labels = [int(value) for value in generator.integers(0, 2, 300)]
    probabilities = [round(float(value), 1) for value in generator.random(300)]  # with ties
    ours = scores(labels, probabilities)
    predicted = [int(p >= 0.5) for p in probabilities]
    assert ours.accuracy == pytest.approx(sk.accuracy_score(labels, predicted))
    assert ours.precision == pytest.approx(sk.precision_score(labels, predicted))
    assert ours.recall == pytest.approx(sk.recall_score(labels, predicted))
    assert ours.f1 == pytest.approx(sk.f1_score(labels, predicted))
    assert ours.mcc == pytest.approx(sk.matthews_corrcoef(labels, predicted))
    assert ours.roc_auc == pytest.approx(sk.roc_auc_score(labels, probabilities))
    assert ours.brier == pytest.approx(sk.brier_score_loss(labels, probabilities))


def test_corpora_weigh_in_proportion_whatever_their_size() -> None:
    youtube = [Example("a", 1, "Youtube01-Psy.csv", n) for n in range(100)]
    sms = [Example("b", 0, "SMSSpamCollection", n) for n in range(300)]
    weights = sample_weights(youtube + sms, {"youtube": 1.0, "sms": 0.5})
    assert weights.mean() == pytest.approx(1.0)
    assert weights[:100].sum() == pytest.approx(2 * weights[100:].sum())
