"""Use case: the videos a user liked, most recently liked first."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from protos import video_pb2
from services.data.views.media import MediaUrls
from services.data.views.videos import videos_of_user
from services.favorite.dal.repository import liked_by


def list_favorites(sessions: sessionmaker[Session], user_id: int, viewer_id: int | None,
                   media: MediaUrls) -> list[video_pb2.Video]:
    """The videos `user_id` liked, most recently liked first, as the viewer sees them."""
    return videos_of_user(sessions, liked_by(viewer_id is None), user_id, viewer_id, media)
