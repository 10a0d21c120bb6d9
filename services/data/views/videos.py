"""Videos with authors, counters and the viewer's `is_favorite` / `is_follow`: two statements."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC
from typing import Any

from sqlalchemy import ColumnElement, Select, exists, false, select
from sqlalchemy.orm import Session, aliased, sessionmaker

from protos import video_pb2
from services.data.checks import existing_user
from services.data.db import transaction
from services.data.models import Favorite, Video
from services.data.validate import positive_id
from services.data.views.media import MediaUrls
from services.data.views.users import VIEWER, users_by_id, viewer_params


def is_favorite(anonymous: bool) -> ColumnElement[bool]:
    """Whether the viewer likes `videos.id`, as a column of any statement selecting videos."""
    if anonymous:
        return false()
    # its own alias of favorites: the liked-videos list joins favorites in the outer statement
    like = aliased(Favorite)
    return (exists().where(like.user_id == VIEWER, like.video_id == Video.id)
            .correlate(Video))


def select_videos(anonymous: bool) -> Select[tuple[Video, bool]]:
    """`SELECT videos, is_favorite`: callers add their joins, filters, order and limit, once
    per shape (see `services.data.views.users`), and execute it with `viewer_params`."""
    return select(Video, is_favorite(anonymous).label("is_favorite"))


def epoch_ms(row: Video) -> int:
    """The video's publish time in milliseconds (stored as a naive UTC DATETIME(6))."""
    return int(row.created_at.replace(tzinfo=UTC).timestamp() * 1000)


def pack_videos(session: Session, rows: Sequence[Any], viewer_id: int | None,
                media: MediaUrls) -> list[video_pb2.Video]:
    """Rows of `select_videos(...)` as messages, in their order: one more statement (authors)."""
    authors = users_by_id(session, {video.author_id for video, _ in rows}, viewer_id, media)
    return [
        video_pb2.Video(
            id=video.id,
            author=authors[video.author_id],
            play_url=media.url(video.play_key),
            cover_url=media.url(video.cover_key),
            favorite_count=video.favorite_count,
            comment_count=video.comment_count,
            is_favorite=bool(liked),
            title=video.title,
            created_ms=epoch_ms(video),
        )
        for video, liked in rows
    ]


def videos_of_user(sessions: sessionmaker[Session], statement: Select[tuple[Video, bool]],
                   user_id: int, viewer_id: int | None,
                   media: MediaUrls) -> list[video_pb2.Video]:
    """A list of `user_id`'s videos (published, liked...) as the viewer sees them.

    `statement` is a `select_videos` statement with a `user_id` parameter. Three statements: the
    user's existence (NOT_FOUND), the videos, their authors.
    """
    positive_id(user_id, "user_id")
    params = {"user_id": user_id, **viewer_params(viewer_id)}
    with transaction(sessions) as session:
        existing_user(session, user_id)
        rows = session.execute(statement, params).all()
        return pack_videos(session, rows, viewer_id, media)
