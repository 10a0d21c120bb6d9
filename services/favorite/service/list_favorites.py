"""Use case: the videos a user liked, most recently liked first."""

from __future__ import annotations

from functools import cache

from sqlalchemy import Select, bindparam
from sqlalchemy.orm import Session, sessionmaker

from protos import video_pb2
from services.favorite.dal.models import Favorite
from services.publish.dal.models import Video
from services.views.media import MediaUrls
from services.views.videos import select_videos, videos_of_user

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
    """The videos `user_id` liked, most recently liked first, as the viewer sees them."""
    return videos_of_user(sessions, _liked_by(viewer_id is None), user_id, viewer_id, media)
