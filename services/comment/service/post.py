"""Use cases: post and delete a comment, each with the video's counter in the same transaction."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from protos import comment_pb2
from services.comment.dal import repository
from services.comment.pack import CommentPacker
from services.data import counters
from services.data.checks import account_gone
from services.data.db import atomic
from services.data.locks import lock_video
from services.data.validate import positive_id, text
from services.data.views.media import MediaUrls
from services.data.views.times import epoch_ms
from services.data.views.users import users_by_id
from services.mesh.errors import AppError, Code

CONTENT_MIN, CONTENT_MAX = 1, 500


def post_comment(sessions: sessionmaker[Session], user_id: int, video_id: int, content: str,
                 media: MediaUrls, pack: CommentPacker) -> comment_pb2.Comment:
    """Add `content` as `user_id`'s comment on `video_id`; the new comment."""
    positive_id(video_id, "video_id")
    text(content, "comment_text", CONTENT_MIN, CONTENT_MAX, multiline=True)

    def work(session: Session) -> comment_pb2.Comment:
        # every writer of a video's counters locks the video row first (services.data.locks)
        lock_video(session, video_id)
        author = users_by_id(session, [user_id], user_id, media).get(user_id)
        if author is None:
            raise account_gone()
        row = repository.add(session, video_id, user_id, content)
        counters.commented(session, video_id, 1)
        return pack(row.id, row.content, epoch_ms(row.created_at), author)

    return atomic(sessions, work)


def delete_comment(sessions: sessionmaker[Session], user_id: int, video_id: int,
                   comment_id: int, media: MediaUrls,
                   pack: CommentPacker) -> comment_pb2.Comment:
    """Delete `comment_id` of `video_id`; only its author may. The deleted comment."""
    positive_id(video_id, "video_id")
    positive_id(comment_id, "comment_id")

    def work(session: Session) -> comment_pb2.Comment:
        lock_video(session, video_id)
        row = repository.lock(session, comment_id)
        if row is None or row.video_id != video_id:
            raise AppError(Code.NOT_FOUND,
                           f"comment {comment_id} does not exist on video {video_id}")
        if row.user_id != user_id:
            raise AppError(Code.PERMISSION_DENIED, "only its author may delete a comment")
        author = users_by_id(session, [user_id], user_id, media)[user_id]
        deleted = pack(row.id, row.content, epoch_ms(row.created_at), author)
        session.delete(row)
        counters.commented(session, video_id, -1)
        return deleted

    return atomic(sessions, work)
