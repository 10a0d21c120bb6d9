"""Use cases: like and unlike a video, idempotently, with every counter in the same transaction."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from services.data.db import atomic, increment
from services.data.validate import positive_id
from services.favorite.dal import repository
from services.mesh.errors import AppError, Code
from services.publish.dal.models import Video
from services.publish.dal.repository import lock_video
from services.user.dal.models import User
from services.user.dal.repository import lock_users


def set_favorite(sessions: sessionmaker[Session], user_id: int, video_id: int,
                 liked: bool) -> tuple[bool, int]:
    """Like (or unlike) `video_id` as `user_id`: whether anything changed, and the like count.

    Liking twice or unliking what was never liked changes nothing. The like row, the video's
    `favorite_count`, the liker's `favorite_count` and the author's `total_favorited` change
    together or not at all.
    """
    positive_id(video_id, "video_id")

    def work(session: Session) -> tuple[bool, int]:
        # lock order: the video, then users by id (see lock_users)
        video = lock_video(session, video_id)
        if video is None:
            raise AppError(Code.NOT_FOUND, f"video {video_id} does not exist")
        users = lock_users(session, {user_id, video.author_id})
        if user_id not in users:
            raise AppError(Code.UNAUTHENTICATED, "your account no longer exists: please log in")
        changed = (repository.add if liked else repository.remove)(session, user_id, video_id)
        if not changed:
            return False, video.favorite_count
        delta = 1 if liked else -1
        increment(session, Video, video_id, favorite_count=delta)
        increment(session, User, user_id, favorite_count=delta)
        increment(session, User, video.author_id, total_favorited=delta)
        return True, video.favorite_count + delta

    return atomic(sessions, work)
