"""Use case: the videos a user liked, most recently liked first."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from protos import video_pb2
from services.common.db import transaction
from services.common.errors import AppError, Code
from services.common.validate import positive_id
from services.favorite.dal.models import Favorite
from services.publish.dal.models import Video
from services.user.dal.models import User
from services.views.media import MediaUrls
from services.views.videos import pack_videos, select_videos

# a list endpoint without paging in the contract still answers in bounded time
LIST_LIMIT = 500


def list_favorites(sessions: sessionmaker[Session], user_id: int, viewer_id: int | None,
                   media: MediaUrls) -> list[video_pb2.Video]:
    """The videos `user_id` liked, with `is_favorite` relative to the viewer: three statements."""
    positive_id(user_id, "user_id")
    statement = (
        select_videos(viewer_id)
        .join(Favorite, Favorite.video_id == Video.id)
        .where(Favorite.user_id == user_id)
        .order_by(Favorite.created_at.desc(), Video.id.desc())
        .limit(LIST_LIMIT)
    )
    with transaction(sessions) as session:
        if session.get(User, user_id) is None:
            raise AppError(Code.NOT_FOUND, f"user {user_id} does not exist")
        return pack_videos(session, session.execute(statement).all(), viewer_id, media)
