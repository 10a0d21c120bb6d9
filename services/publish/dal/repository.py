"""The publish service's own queries over `videos`."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam, or_, select
from sqlalchemy.orm import Session

from services.data.models import Video
from services.data.views.videos import select_videos

# a list endpoint without paging in the contract still answers in bounded time
LIST_LIMIT = 500


def add_video(session: Session, author_id: int, title: str, play_key: str,
              cover_key: str) -> Video:
    """Insert a video row; its id is loaded (the publish time the server set is not: the
    publish use case reads the new video back whole, `video_by_id`)."""
    video = Video(author_id=author_id, title=title, play_key=play_key, cover_key=cover_key)
    session.add(video)
    session.flush()
    return video


@cache
def videos_of(anonymous: bool) -> Select[Any]:
    """A user's videos (`user_id` parameter), newest first, as `select_videos` rows."""
    return (
        select_videos(anonymous)
        .where(Video.author_id == bindparam("user_id"))
        .order_by(Video.created_at.desc(), Video.id.desc())
        .limit(LIST_LIMIT)
    )


def used_keys(session: Session, keys: Sequence[str]) -> set[str]:
    """Those of `keys` that a video row points to (as its media or its cover)."""
    rows = session.execute(
        select(Video.play_key, Video.cover_key)
        .where(or_(Video.play_key.in_(keys), Video.cover_key.in_(keys)))
    ).all()
    return {key for row in rows for key in row}
