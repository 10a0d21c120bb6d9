"""Helpers of the social use cases' tests (users and videos come from tests/services/conftest)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from services.data.db import transaction
from services.data.views.media import MediaUrls

MEDIA = MediaUrls("https://media.example/dytt-media")


def count_rows(sessions: sessionmaker[Session], model: type, **where: int) -> int:
    """How many rows of `model` match `where` (column == value)."""
    with transaction(sessions) as session:
        clauses = [getattr(model, column) == value for column, value in where.items()]
        return session.scalar(select(func.count()).select_from(model).where(*clauses)) or 0
