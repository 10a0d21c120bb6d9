"""The denormalised counters, each changed in the database (`col = col + n`) with its rows.

A use case changes the rows a counter counts and the counter in one transaction, holding the
locks of `locks` first; these are the only writers of the counters.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session

from services.data.db import Base
from services.data.models import User, Video


def increment(session: Session, model: type[Base], row_id: int, **deltas: int) -> None:
    """Add `deltas` to counters of one row in the database (`col = col + n`, no lost update)."""
    table = model.__table__  # type: ignore[attr-defined]
    values = {name: table.c[name] + delta for name, delta in deltas.items() if delta}
    if values:
        session.execute(update(table).where(table.c.id == row_id).values(values))


def liked(session: Session, video: Video, liker_id: int, delta: int) -> None:
    """A like of `video` by `liker_id` was added (1) or taken back (-1): three counters."""
    increment(session, Video, video.id, favorite_count=delta)
    increment(session, User, liker_id, favorite_count=delta)
    increment(session, User, video.author_id, total_favorited=delta)


def commented(session: Session, video_id: int, delta: int) -> None:
    """A comment on the video was added (1) or deleted (-1)."""
    increment(session, Video, video_id, comment_count=delta)


def followed(session: Session, follower_id: int, followee_id: int, delta: int) -> None:
    """A follow was added (1) or removed (-1): both users' counters."""
    increment(session, User, follower_id, follow_count=delta)
    increment(session, User, followee_id, follower_count=delta)


def published(session: Session, author_id: int, count: int = 1) -> None:
    """`count` videos of the author were recorded."""
    increment(session, User, author_id, work_count=count)
