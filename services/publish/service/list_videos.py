"""Use case: a user's videos, newest first."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from protos import video_pb2
from services.data.views.media import MediaUrls
from services.data.views.videos import videos_of_user
from services.publish.dal.repository import videos_of


def list_videos(sessions: sessionmaker[Session], user_id: int, viewer_id: int | None,
                media: MediaUrls) -> list[video_pb2.Video]:
    """The videos `user_id` published, newest first, as the viewer sees them."""
    return videos_of_user(sessions, videos_of(viewer_id is None), user_id, viewer_id, media)
