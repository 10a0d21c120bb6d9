"""Use case: a video's comments, newest first."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from protos import comment_pb2
from services.comment.dal import repository
from services.comment.pack import CommentPacker
from services.data.checks import existing_video
from services.data.db import transaction
from services.data.validate import positive_id
from services.data.views.media import MediaUrls
from services.data.views.users import users_by_id


def list_comments(sessions: sessionmaker[Session], video_id: int, viewer_id: int | None,
                  media: MediaUrls, pack: CommentPacker) -> list[comment_pb2.Comment]:
    """The newest comments of `video_id` with their authors: three statements."""
    positive_id(video_id, "video_id")
    with transaction(sessions) as session:
        existing_video(session, video_id)
        rows = repository.newest_on(session, video_id)
        authors = users_by_id(session, {row[1] for row in rows}, viewer_id, media)
    return [pack(comment_id, content, created_ms, authors[user_id])
            for comment_id, user_id, content, created_ms in rows]
