"""Use cases: like and unlike a video, idempotently, with every counter in the same transaction."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from services.data import counters
from services.data.db import atomic
from services.data.locks import lock_users, lock_video
from services.data.validate import positive_id
from services.favorite.dal import repository


def set_favorite(sessions: sessionmaker[Session], user_id: int, video_id: int,
                 liked: bool) -> tuple[bool, int]:
    """Like (or unlike) `video_id` as `user_id`: whether anything changed, and the like count.

    Liking twice or unliking what was never liked changes nothing. The like row, the video's
    `favorite_count`, the liker's `favorite_count` and the author's `total_favorited` change
    together or not at all.
    """
    positive_id(video_id, "video_id")

    def work(session: Session) -> tuple[bool, int]:
        # the lock order: the video, then users by id (see services.data.locks)
        video = lock_video(session, video_id)
        lock_users(session, [video.author_id], caller=user_id)
        changed = (repository.add if liked else repository.remove)(session, user_id, video_id)
        if not changed:
            return False, video.favorite_count
        delta = 1 if liked else -1
        counters.liked(session, video.id, video.author_id, user_id, delta)
        return True, video.favorite_count + delta

    return atomic(sessions, work)
