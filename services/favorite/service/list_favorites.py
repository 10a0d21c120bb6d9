"""Use case: the videos a user liked, most recently liked first."""

from __future__ import annotations

from functools import cache

from sqlalchemy import Select, bindparam
from sqlalchemy.orm import Session, sessionmaker

from protos import video_pb2
from services.common.db import transaction
from services.common.errors import AppError, Code
from services.common.validate import positive_id
from services.favorite.dal.models import Favorite
from services.publish.dal.models import Video
from services.user.dal.models import User
from services.views.media import MediaUrls
from services.views.users import viewer_params
from services.views.videos import pack_videos, select_videos

# a list endpoint without paging in the contract still answers in bounded time
LIST_LIMIT = 500


@cache
def _liked_by(anonymous: bool) -> Select[tuple[Video, bool]]:
    return (
        select_videos(anonymous)
        .join(Favorite, Favorite.video_id == Video.id)
        .where(Favorite.user_id == bindparam("user_id"))
        .order_by(Favorite.created_at.desc(), Video.id.desc())
        .limit(LIST_LIMIT)
    )


def list_favorites(sessions: sessionmaker[Session], user_id: int, viewer_id: int | None,
                   media: MediaUrls) -> list[video_pb2.Video]:
    """The videos `user_id` liked, with `is_favorite` relative to the viewer: three statements."""
    positive_id(user_id, "user_id")
    params = {"user_id": user_id, **viewer_params(viewer_id)}
    with transaction(sessions) as session:
        if session.get(User, user_id) is None:
            raise AppError(Code.NOT_FOUND, f"user {user_id} does not exist")
        rows = session.execute(_liked_by(viewer_id is None), params).all()
        return pack_videos(session, rows, viewer_id, media)
