"""Use case: a page of the feed, newest first, strictly before a time."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from functools import cache

from sqlalchemy import Integer, Select, bindparam
from sqlalchemy.orm import Session, sessionmaker

from protos import video_pb2
from services.data.db import transaction
from services.data.validate import invalid
from services.publish.dal.models import Video
from services.views.media import MediaUrls
from services.views.users import viewer_params
from services.views.videos import pack_videos, select_videos

PAGE_SIZE = 30


@cache
def _page(anonymous: bool) -> Select[tuple[Video, bool]]:
    return (
        select_videos(anonymous)
        .where(Video.created_at < bindparam("before"))
        # (created_at, id) is one index: newest first, ties in a stable order
        .order_by(Video.created_at.desc(), Video.id.desc())
        .limit(bindparam("limit", type_=Integer))
    )


def get_feed(sessions: sessionmaker[Session], latest_time_ms: int, viewer_id: int | None,
             media: MediaUrls, page_size: int = PAGE_SIZE) -> tuple[list[video_pb2.Video], int]:
    """Up to `page_size` videos published before `latest_time_ms` (0: now), and the next time.

    The next time is the publish time of the oldest video returned, or the asked time when the
    page is empty. Two statements, whatever the page size.
    """
    if latest_time_ms < 0:
        raise invalid(f"latest_time must not be negative, got {latest_time_ms}")
    now_ms = int(time.time() * 1000)
    before_ms = min(latest_time_ms or now_ms, now_ms + 1)
    before = datetime.fromtimestamp(before_ms / 1000, UTC).replace(tzinfo=None)
    params = {"before": before, "limit": page_size, **viewer_params(viewer_id)}
    with transaction(sessions) as session:
        rows = session.execute(_page(viewer_id is None), params).all()
        videos = pack_videos(session, rows, viewer_id, media)
    return videos, (videos[-1].created_ms if videos else before_ms)
