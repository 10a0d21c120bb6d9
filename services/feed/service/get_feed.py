"""Use case: a page of the feed, newest first, strictly before a time."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from sqlalchemy.orm import Session, sessionmaker

from protos import video_pb2
from services.data.db import read_transaction
from services.data.validate import invalid
from services.data.views.media import MediaUrls
from services.data.views.videos import pack_videos
from services.feed.dal.repository import newest_before

PAGE_SIZE = 30


def get_feed(sessions: sessionmaker[Session], latest_time_ms: int, viewer_id: int | None,
             media: MediaUrls, page_size: int = PAGE_SIZE) -> tuple[list[video_pb2.Video], int]:
    """Up to `page_size` videos published before `latest_time_ms` (0: now), and the next time.

    The next time is the publish time of the oldest video returned, or the asked time when the
    page is empty. One statement, whatever the page size.
    """
    if latest_time_ms < 0:
        raise invalid(f"latest_time must not be negative, got {latest_time_ms}")
    now_ms = int(time.time() * 1000)
    before_ms = min(latest_time_ms or now_ms, now_ms + 1)
    before = datetime.fromtimestamp(before_ms / 1000, UTC).replace(tzinfo=None)
    with read_transaction(sessions) as db:
        rows = newest_before(db, before, page_size, viewer_id)
    videos = pack_videos(rows, media)
    return videos, (videos[-1].created_ms if videos else before_ms)
