"""The spam model a project's decisions use: the classifier shipped in the package."""

from __future__ import annotations

from sqlalchemy.orm import Session

from spamward.model.linear import shipped_model
from spamward.runtime import Runtime
from spamward.signals.reader import SpamModel


def spam_model(runtime: Runtime, session: Session, project_id: int) -> SpamModel:
    return shipped_model()
