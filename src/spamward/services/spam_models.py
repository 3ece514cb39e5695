"""The spam model a project's decisions use: the one shipped in the package until the
project retrains with its moderators' labels and the new model passes the gate."""

from __future__ import annotations

import gzip

from sqlalchemy.orm import Session

from spamward.errors import NotFound
from spamward.model.linear import LinearModel, shipped_model
from spamward.model.model_file import parse_model
from spamward.runtime import Runtime
from spamward.signals.reader import SpamModel
from spamward.storage.repositories import spam_models as repo

SHIPPED_VERSION = 0  # a project that never retrained uses the shipped model


def held_spam_model(runtime: Runtime, project_id: int, version: int) -> SpamModel | None:
    """The project's model at `version` if this process holds it, else None."""
    if version == SHIPPED_VERSION:
        return shipped_model()
    return runtime.spam_models.held(project_id, version)


def spam_model(
    runtime: Runtime, session: Session, project_id: int, version: int | None = None
) -> SpamModel:
    """The project's live model (`version` when the caller read it with the project row),
    loaded once per process and version."""
    if version is None:
        version = repo.live_version(session, project_id)
    if version == SHIPPED_VERSION:
        return shipped_model()
    return runtime.spam_models.get(project_id, version, lambda: _load(session, project_id, version))


def _load(session: Session, project_id: int, version: int) -> LinearModel:
    row = repo.model_version(session, project_id, version)
    if row is None:
        raise NotFound(f"no spam model version {version}")
    weights, intercept = parse_model(gzip.decompress(row.model), f"spam model {version}")
    return LinearModel(weights, intercept)
