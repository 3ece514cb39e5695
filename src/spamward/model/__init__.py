"""The spam model: a calibrated linear model over word, stem, pair, link and digit-shape
features, scored in pure Python.

    from spamward.model import probability
    probability("Check out my channel!")  # the shipped model's calibrated spam probability

Training and evaluation (scikit-learn) live in fit.py, train.py and evaluate.py and are
never imported by scoring; docs/model.md describes the data, the leaks removed, the files.
"""

from spamward.model.linear import LinearModel, load_model, probability, shipped_model

__all__ = ["LinearModel", "load_model", "probability", "shipped_model"]
