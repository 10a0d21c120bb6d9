"""Use case: a video's comments, newest first."""

from __future__ import annotations

from functools import cache

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import Session, sessionmaker

from protos import comment_pb2
from services.comment.dal.models import Comment
from services.comment.pack import CommentPacker
from services.data.db import transaction
from services.data.validate import positive_id
from services.mesh.errors import AppError, Code
from services.publish.dal.models import Video
from services.views.media import MediaUrls
from services.views.users import users_by_id

# a list endpoint without paging in the contract still answers in bounded time
LIST_LIMIT = 500


@cache
def _comments_on() -> Select[tuple[Comment]]:
    return (
        select(Comment)
        .where(Comment.video_id == bindparam("video_id"))
        .order_by(Comment.created_at.desc(), Comment.id.desc())
        .limit(LIST_LIMIT)
    )


def list_comments(sessions: sessionmaker[Session], video_id: int, viewer_id: int | None,
                  media: MediaUrls, pack: CommentPacker) -> list[comment_pb2.Comment]:
    """The newest comments of `video_id` with their authors: three statements."""
    positive_id(video_id, "video_id")
    with transaction(sessions) as session:
        if session.get(Video, video_id) is None:
            raise AppError(Code.NOT_FOUND, f"video {video_id} does not exist")
        rows = session.scalars(_comments_on(), {"video_id": video_id}).all()
        authors = users_by_id(session, {row.user_id for row in rows}, viewer_id, media)
    return [pack(row, authors[row.user_id]) for row in rows]
