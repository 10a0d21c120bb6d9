"""Use case: a video's comments, newest first."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from protos import comment_pb2
from services.comment.dal import repository
from services.comment.pack import CommentPacker
from services.data.checks import existing_video
from services.data.db import read_transaction
from services.data.validate import positive_id
from services.data.views.media import MediaUrls
from services.data.views.users import users_by_id


def list_comments(sessions: sessionmaker[Session], video_id: int, viewer_id: int | None,
                  media: MediaUrls, pack: CommentPacker) -> list[comment_pb2.Comment]:
    """The newest comments of `video_id` with their authors: two statements, or when there is
    none, the video's existence (NOT_FOUND)."""
    positive_id(video_id, "video_id")
    with read_transaction(sessions) as db:
        rows = repository.newest_on(db, video_id)
        if not rows:
            # a comment names its video through a foreign key: only no comments needs the check
            existing_video(db, video_id)
        authors = users_by_id(db, {row[1] for row in rows}, viewer_id, media)
    return [pack(comment_id, content, created_ms, authors[user_id])
            for comment_id, user_id, content, created_ms in rows]
