"""Repository functions over `favorites`."""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.orm import Session

from services.favorite.dal.models import Favorite


def add(session: Session, user_id: int, video_id: int) -> bool:
    """Record the like; False when it already existed.

    The caller holds the video's row lock, so no other like of the same pair can come between
    the check and the insert (and the primary key would refuse it anyway).
    """
    if session.get(Favorite, (user_id, video_id)) is not None:
        return False
    session.add(Favorite(user_id=user_id, video_id=video_id))
    session.flush()
    return True


def remove(session: Session, user_id: int, video_id: int) -> bool:
    """Forget the like; False when there was none."""
    result = session.execute(
        delete(Favorite).where(Favorite.user_id == user_id, Favorite.video_id == video_id)
    )
    return result.rowcount == 1
