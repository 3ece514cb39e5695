"""A project's defined actions: a catalog action with fixed parameters, under a name."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from spamward.storage.models import DefinedAction


def all_of(session: Session, project_id: int) -> list[DefinedAction]:
    return list(
        session.scalars(
            select(DefinedAction)
            .where(DefinedAction.project_id == project_id)
            .order_by(DefinedAction.name)
        )
    )


def by_name(session: Session, project_id: int, name: str) -> DefinedAction | None:
    return session.scalar(
        select(DefinedAction).where(
            DefinedAction.project_id == project_id, DefinedAction.name == name
        )
    )


def by_names(session: Session, project_id: int, names: set[str]) -> dict[str, DefinedAction]:
    rows = session.scalars(
        select(DefinedAction).where(
            DefinedAction.project_id == project_id, DefinedAction.name.in_(names)
        )
    )
    return {row.name: row for row in rows}
