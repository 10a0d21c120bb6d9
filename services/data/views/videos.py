"""Videos with authors, counters and the viewer's `is_favorite` / `is_follow`: one statement.

Statements select the columns a Video message needs and its author's (`select_videos`), and run
through `services.data.db.read` (see `services.data.views.users`).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, Select, bindparam, exists, false, select
from sqlalchemy.orm import Session, aliased, sessionmaker

from protos import user_pb2, video_pb2
from services.data.checks import existing_user
from services.data.db import Reader, read, read_transaction
from services.data.models import Favorite, User, Video
from services.data.validate import positive_id
from services.data.views.media import MediaUrls
from services.data.views.times import epoch_ms_column
from services.data.views.users import USER_COLUMNS, VIEWER, is_follow, user_pb, viewer_params
from services.mesh.errors import AppError, Code

# what a Video message shows, in the order `video_pb` unpacks; `is_favorite` comes next
VIDEO_COLUMNS = (Video.id, Video.author_id, Video.title, Video.play_key, Video.cover_key,
                 Video.favorite_count, Video.comment_count,
                 epoch_ms_column(Video.created_at).label("created_ms"))
# where a row of `select_videos` has its author's `USER_COLUMNS` and `is_follow`
AUTHOR = len(VIDEO_COLUMNS) + 1


def is_favorite(anonymous: bool) -> ColumnElement[bool]:
    """Whether the viewer likes `videos.id`, as a column of any statement selecting videos."""
    if anonymous:
        return false()
    # its own alias of favorites: the liked-videos list joins favorites in the outer statement
    like = aliased(Favorite)
    return (exists().where(like.user_id == VIEWER, like.video_id == Video.id)
            .correlate(Video))


def select_videos(anonymous: bool) -> Select[Any]:
    """`SELECT <VIDEO_COLUMNS>, is_favorite, <the author's USER_COLUMNS>, is_follow FROM videos
    JOIN users`: callers add their joins, filters, order and limit, once per shape (see
    `services.data.views.users`), and execute it with `viewer_params`.

    The author comes in the same statement, a primary-key probe per row: a second statement
    for the authors was one more round trip to the server (and a span) on every page.
    """
    return (select(*VIDEO_COLUMNS, is_favorite(anonymous).label("is_favorite"),
                   *USER_COLUMNS, is_follow(anonymous).label("is_follow"))
            .join_from(Video, User, User.id == Video.author_id))


def video_pb(row: Sequence[Any], author: user_pb2.User, media: MediaUrls) -> video_pb2.Video:
    """A Video message with every field set, from a row of `select_videos(...)` (the author's
    message made from the rest of the row, `user_pb(row[AUTHOR:])`)."""
    (video_id, _, title, play_key, cover_key, favorite_count, comment_count, created_ms,
     liked) = row[:AUTHOR]
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


def pack_videos(rows: Sequence[Sequence[Any]], media: MediaUrls) -> list[video_pb2.Video]:
    """Rows of `select_videos(...)` as messages, in their order; each author's made once."""
    authors: dict[int, user_pb2.User] = {}
    videos = []
    for row in rows:
        author = authors.get(row[1])
        if author is None:
            author = authors[row[1]] = user_pb(row[AUTHOR:], media)
        videos.append(video_pb(row, author, media))
    return videos


def video_by_id(db: Reader, video_id: int, viewer_id: int | None,
                media: MediaUrls) -> video_pb2.Video:
    """One video as the viewer sees it, also inside a write transaction (NOT_FOUND if none)."""
    rows = read(db, _video_with_id(viewer_id is None),
                {"video_id": video_id, **viewer_params(viewer_id)})
    if not rows:
        raise AppError(Code.NOT_FOUND, f"video {video_id} does not exist")
    return pack_videos(rows, media)[0]


@cache
def _video_with_id(anonymous: bool) -> Select[Any]:
    return select_videos(anonymous).where(Video.id == bindparam("video_id", type_=BigInteger))


def videos_of_user(sessions: sessionmaker[Session], statement: Select[Any], user_id: int,
                   viewer_id: int | None, media: MediaUrls) -> list[video_pb2.Video]:
    """A list of `user_id`'s videos (published, liked...) as the viewer sees them.

    `statement` is a `select_videos` statement with a `user_id` parameter whose rows name the
    user through a foreign key. One statement; an empty list one more, the user's existence
    (NOT_FOUND).
    """
    positive_id(user_id, "user_id")
    params = {"user_id": user_id, **viewer_params(viewer_id)}
    with read_transaction(sessions) as db:
        rows = read(db, statement, params)
        if not rows:
            existing_user(db, user_id)
    return pack_videos(rows, media)
