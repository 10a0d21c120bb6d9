"""Repository functions over `videos`."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.publish.dal.models import Video


def lock_video(session: Session, video_id: int) -> Video | None:
    """The video, locked for update until the transaction ends (see `lock_users` for order)."""
    return session.scalar(select(Video).where(Video.id == video_id).with_for_update())


def add_video(session: Session, author_id: int, title: str, play_key: str,
              cover_key: str) -> Video:
    """Insert a video row; its id and publish time are loaded."""
    video = Video(author_id=author_id, title=title, play_key=play_key, cover_key=cover_key)
    session.add(video)
    session.flush()
    session.refresh(video)
    return video
