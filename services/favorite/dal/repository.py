"""The favorite service's own queries over `favorites`."""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import BigInteger, Delete, Insert, Select, bindparam, delete, insert
from sqlalchemy.orm import Session

from services.data.models import Favorite, Video
from services.data.views.videos import select_videos

# a list endpoint without paging in the contract still answers in bounded time
LIST_LIMIT = 500


def add(session: Session, user_id: int, video_id: int) -> bool:
    """Record the like; False when it already existed.

    One statement: the caller holds the locks of the video and the liker, the rows the foreign
    keys need, so IGNORE can only skip the duplicate of an existing like.
    """
    return session.execute(_insert_ignore(), {"user_id": user_id,
                                              "video_id": video_id}).rowcount == 1


@cache
def _insert_ignore() -> Insert:
    return insert(Favorite.__table__).prefix_with("IGNORE")


def remove(session: Session, user_id: int, video_id: int) -> bool:
    """Forget the like; False when there was none."""
    return session.execute(_delete(), {"user_id": user_id, "video_id": video_id}).rowcount == 1


@cache
def _delete() -> Delete:
    table = Favorite.__table__
    return delete(table).where(table.c.user_id == bindparam("user_id", type_=BigInteger),
                               table.c.video_id == bindparam("video_id", type_=BigInteger))


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
