"""The model file: UTF-8 JSON, keys sorted, no whitespace, weights rounded to 4 decimals,
so that the same training inputs always give the same bytes.

    {"feature_set": "...", "format": "spamward-linear/1", "intercept": -0.12,
     "weights": {"<url>": 2.5, "check out": 1.9, ...}}

Its training record (data, parameters, scores) is written next to it as `*.record.json`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from spamward.errors import ConfigError
from spamward.model.features import FEATURE_SET

FORMAT = "spamward-linear/1"
DECIMALS = 4


def model_bytes(weights: Mapping[str, float], intercept: float) -> bytes:
    document = {
        "feature_set": FEATURE_SET,
        "format": FORMAT,
        "intercept": round(intercept, DECIMALS),
        "weights": {name: round(weights[name], DECIMALS) for name in sorted(weights)},
    }
    return canonical_json(document)


def read_model(path: Path) -> tuple[dict[str, float], float]:
    """(weights, intercept) of a model file; ConfigError if it is missing or not one."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ConfigError(f"cannot read the spam model {path}: {error}") from error
    return parse_model(data, str(path))


def parse_model(data: bytes, origin: str) -> tuple[dict[str, float], float]:
    """(weights, intercept) of a model's bytes; ConfigError if they are not a model."""
    try:
        document = json.loads(data)
    except ValueError as error:
        raise ConfigError(f"cannot read the spam model {origin}: {error}") from error
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ConfigError(f"{origin} is not a {FORMAT} model file")
    if document.get("feature_set") != FEATURE_SET:
        raise ConfigError(f"{origin} was trained on other features: retrain it")
    return _weights(document["weights"]), float(document["intercept"])


def record_path(model_path: Path) -> Path:
    """Where a model file's training record lives: `x.json` → `x.record.json`."""
    return model_path.with_name(model_path.stem + ".record.json")


def pretty_json(document: Any) -> bytes:
    """For the record, meant to be read: indented, keys sorted, so still byte-stable."""
    return (json.dumps(document, sort_keys=True, ensure_ascii=False, indent=2) + "\n").encode()


def canonical_json(document: Any) -> bytes:
    text = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return (text + "\n").encode()


def _weights(raw: Any) -> dict[str, float]:
    if not isinstance(raw, dict):
        raise ConfigError("the model file's weights are not an object")
    return {str(name): float(weight) for name, weight in raw.items()}
