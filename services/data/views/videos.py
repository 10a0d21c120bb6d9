"""Videos with authors, counters and the viewer's `is_favorite` / `is_follow`: two statements.

Statements select the columns a Video message needs, in `VIDEO_COLUMNS` order, and run through
`services.data.db.read` (see `services.data.views.users`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, exists, false, select
from sqlalchemy.orm import Session, aliased, sessionmaker

from protos import user_pb2, video_pb2
from services.data.checks import existing_user
from services.data.db import Reader, read, read_transaction
from services.data.models import Favorite, Video
from services.data.validate import positive_id
from services.data.views.media import MediaUrls
from services.data.views.times import epoch_ms, epoch_ms_column
from services.data.views.users import VIEWER, users_by_id, viewer_params

# what a Video message shows, in the order `video_pb` unpacks; `is_favorite` comes last
VIDEO_COLUMNS = (Video.id, Video.author_id, Video.title, Video.play_key, Video.cover_key,
                 Video.favorite_count, Video.comment_count,
                 epoch_ms_column(Video.created_at).label("created_ms"))


def is_favorite(anonymous: bool) -> ColumnElement[bool]:
    """Whether the viewer likes `videos.id`, as a column of any statement selecting videos."""
    if anonymous:
        return false()
    # its own alias of favorites: the liked-videos list joins favorites in the outer statement
    like = aliased(Favorite)
    return (exists().where(like.user_id == VIEWER, like.video_id == Video.id)
            .correlate(Video))


def select_videos(anonymous: bool) -> Select[Any]:
    """`SELECT <VIDEO_COLUMNS>, is_favorite`: callers add their joins, filters, order and limit,
    once per shape (see `services.data.views.users`), and execute it with `viewer_params`."""
    return select(*VIDEO_COLUMNS, is_favorite(anonymous).label("is_favorite"))


def video_row(video: Video, liked: bool) -> tuple[Any, ...]:
    """The row `select_videos` gives for a video already loaded as an ORM object."""
    return (video.id, video.author_id, video.title, video.play_key, video.cover_key,
            video.favorite_count, video.comment_count, epoch_ms(video.created_at), liked)


def video_pb(row: Sequence[Any], author: user_pb2.User, media: MediaUrls) -> video_pb2.Video:
    """A Video message with every field set, from a row of `select_videos(...)`."""
    (video_id, _, title, play_key, cover_key, favorite_count, comment_count, created_ms,
     liked) = row
    return video_pb2.Video(
        id=video_id,
        author=author,
        play_url=media.url(play_key),
        cover_url=media.url(cover_key),
        favorite_count=favorite_count,
        comment_count=comment_count,
        is_favorite=liked,
        title=title,
        created_ms=created_ms,
    )


def pack_videos(db: Reader, rows: Sequence[Sequence[Any]], viewer_id: int | None,
                media: MediaUrls) -> list[video_pb2.Video]:
    """Rows of `select_videos(...)` as messages, in their order: one more statement (authors)."""
    authors = users_by_id(db, {row[1] for row in rows}, viewer_id, media)
    return [video_pb(row, authors[row[1]], media) for row in rows]


def videos_of_user(sessions: sessionmaker[Session], statement: Select[Any], user_id: int,
                   viewer_id: int | None, media: MediaUrls) -> list[video_pb2.Video]:
    """A list of `user_id`'s videos (published, liked...) as the viewer sees them.

    `statement` is a `select_videos` statement with a `user_id` parameter whose rows name the
    user through a foreign key. Two statements: the videos, their authors; an empty list one
    more, the user's existence (NOT_FOUND).
    """
    positive_id(user_id, "user_id")
    params = {"user_id": user_id, **viewer_params(viewer_id)}
    with read_transaction(sessions) as db:
        rows = read(db, statement, params)
        if not rows:
            existing_user(db, user_id)
        return pack_videos(db, rows, viewer_id, media)
