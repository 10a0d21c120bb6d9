"""Users and videos made directly in a throwaway database, for the social use cases' tests."""

from __future__ import annotations

import secrets
from collections.abc import Callable

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from services.data.db import increment, transaction
from services.publish.dal.repository import add_video
from services.user.dal.models import User
from services.user.dal.repository import create_user
from services.views.media import MediaUrls

MEDIA = MediaUrls("https://media.example/dytt-media")


@pytest.fixture(scope="module")
def make_users(sessions: sessionmaker[Session]) -> Callable[[int], list[int]]:
    """Creates `n` users; their ids."""

    def make(n: int) -> list[int]:
        with transaction(sessions) as session:
            return [create_user(session, f"s{secrets.token_hex(6)}", "x").id for _ in range(n)]

    return make


@pytest.fixture(scope="module")
def make_videos(sessions: sessionmaker[Session]) -> Callable[[int, int], list[int]]:
    """Publishes `n` videos of `author` the way the publish use case records them; their ids."""

    def make(author: int, n: int) -> list[int]:
        with transaction(sessions) as session:
            ids = [add_video(session, author, f"clip {i}", f"videos/{secrets.token_hex(8)}.mp4",
                             f"covers/{secrets.token_hex(8)}.jpg").id for i in range(n)]
            increment(session, User, author, work_count=n)
            return ids

    return make


def count_rows(sessions: sessionmaker[Session], model: type, **where: int) -> int:
    """How many rows of `model` match `where` (column == value)."""
    with transaction(sessions) as session:
        clauses = [getattr(model, column) == value for column, value in where.items()]
        return session.scalar(select(func.count()).select_from(model).where(*clauses)) or 0
