"""The favorite service's own queries over `favorites`."""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam, delete
from sqlalchemy.orm import Session

from services.data.models import Favorite, Video
from services.data.views.videos import select_videos

# a list endpoint without paging in the contract still answers in bounded time
LIST_LIMIT = 500


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


@cache
def liked_by(anonymous: bool) -> Select[Any]:
    """The videos a user (`user_id` parameter) liked, most recently liked first."""
    return (
        select_videos(anonymous)
        .join(Favorite, Favorite.video_id == Video.id)
        .where(Favorite.user_id == bindparam("user_id"))
        .order_by(Favorite.created_at.desc(), Video.id.desc())
        .limit(LIST_LIMIT)
    )
