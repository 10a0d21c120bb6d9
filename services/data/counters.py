"""The denormalised counters, each changed in the database (`col = col + n`) with its rows.

A use case changes the rows a counter counts and the counter in one transaction, holding the
locks of `locks` first; these are the only writers of the counters.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import case, update
from sqlalchemy.orm import Session

from services.data.db import Base
from services.data.models import User, Video


def increment(session: Session, model: type[Base], deltas: Mapping[int, Mapping[str, int]]) -> None:
    """Add to counters of rows of `model` (row id -> {column: n}) in the database, in one
    statement (`col = col + n`, no lost update)."""
    table = model.__table__  # type: ignore[attr-defined]
    by_column: dict[str, dict[int, int]] = {}
    for row_id, changes in deltas.items():
        for name, delta in changes.items():
            if delta:
                by_column.setdefault(name, {})[row_id] = delta
    ids = sorted({row_id for rows in by_column.values() for row_id in rows})
    if not ids:
        return
    values = {
        name: table.c[name] + (rows[ids[0]] if len(ids) == 1
                               else case(rows, value=table.c.id, else_=0))
        for name, rows in by_column.items()
    }
    # one statement over ids in ascending order: InnoDB locks the rows in that order
    session.execute(update(table).where(table.c.id.in_(ids)).values(values))


def _merged(*changes: tuple[int, str, int]) -> dict[int, dict[str, int]]:
    """(row id, column, n)... as increment's mapping; one row may have several columns."""
    deltas: dict[int, dict[str, int]] = {}
    for row_id, column, delta in changes:
        deltas.setdefault(row_id, {})[column] = delta
    return deltas


def liked(session: Session, video_id: int, author_id: int, liker_id: int, delta: int) -> None:
    """A like of the video by `liker_id` was added (1) or taken back (-1): three counters."""
    increment(session, Video, {video_id: {"favorite_count": delta}})
    increment(session, User, _merged((liker_id, "favorite_count", delta),
                                     (author_id, "total_favorited", delta)))


def commented(session: Session, video_id: int, delta: int) -> None:
    """A comment on the video was added (1) or deleted (-1)."""
    increment(session, Video, {video_id: {"comment_count": delta}})


def followed(session: Session, follower_id: int, followee_id: int, delta: int) -> None:
    """A follow was added (1) or removed (-1): both users' counters, in one statement."""
    increment(session, User, _merged((follower_id, "follow_count", delta),
                                     (followee_id, "follower_count", delta)))


def published(session: Session, author_id: int, count: int = 1) -> None:
    """`count` videos of the author were recorded."""
    increment(session, User, {author_id: {"work_count": count}})
