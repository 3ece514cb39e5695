"""The training record: what data a model was fitted on, how, and how well it scores.

Everything in it is a function of the inputs (no clock, no absolute path), so that training
twice on the same files writes the same bytes.
"""

from __future__ import annotations

import platform
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict
from importlib.metadata import version
from pathlib import Path
from typing import Any

from spamward.model.corpora import Example, rows_in_file, sha256_of
from spamward.model.features import FEATURE_SET
from spamward.model.fit import Fitted
from spamward.model.parameters import FitParameters

FORMAT = "spamward-linear-record/1"
IGNORED = [
    "COMMENT_ID, AUTHOR and DATE columns (an empty DATE marks 245 Eminem spam rows)",
    "U+FEFF anywhere in the text (its absence marks spam in Eminem and Shakira)",
    "HTML: escapes unescaped, tags dropped with their text kept (<br /> is a space)",
    "CSV rows that swallowed other records (Youtube04-Eminem.csv data row 269)",
    "SMS anonymisation placeholders <#>, <DECIMAL>, <TIME>, <URL>, <EMAIL> (ham only)",
    "duplicate texts (case and spacing ignored): the first one is kept",
]


def data_files(
    directory: Path, files: Sequence[str], loaded: Counter[str], kept: Counter[str]
) -> list[dict[str, Any]]:
    """Per input file: its path under the corpora directory, sha256, its rows, the rows
    loaded (corrupted ones left out) and kept after deduplication (`loaded` and `kept` count
    examples by source file name)."""
    entries = []
    for relative in files:
        path, name = directory / relative, Path(relative).name
        entries.append(
            {
                "path": relative,
                "sha256": sha256_of(path),
                "rows": rows_in_file(path),
                "rows_loaded": loaded[name],
                "rows_kept": kept[name],
            }
        )
    return entries


def training_record(
    files: list[dict[str, Any]],
    training: Sequence[Example],
    parameters: FitParameters,
    fitted: Fitted,
    evaluation: dict[str, Any],
) -> dict[str, Any]:
    spam = sum(example.label for example in training)
    return {
        "format": FORMAT,
        "feature_set": FEATURE_SET,
        "data": {
            "files": files,
            "training_rows": len(training),
            "spam": spam,
            "ham": len(training) - spam,
            "ignored": IGNORED,
        },
        "parameters": asdict(parameters),
        "model": {
            "vocabulary": fitted.vocabulary_size,
            "weights_kept": len(fitted.model.weights),
            "intercept": round(fitted.model.intercept, 4),
            "calibration": {
                "method": "Platt scaling on out-of-fold scores, folded into the weights",
                "slope": round(fitted.calibration_slope, 4),
                "offset": round(fitted.calibration_offset, 4),
            },
        },
        "software": _software(),
        "evaluation": evaluation,
    }


def _software() -> dict[str, str]:
    packages = ("scikit-learn", "numpy", "scipy")
    return {"python": platform.python_version()} | {name: version(name) for name in packages}
