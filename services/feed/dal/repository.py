"""The feed service's own query over `videos`: a page of the newest, strictly before a time."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Integer, Row, Select, bindparam

from services.data.db import Reader, read
from services.data.models import Video
from services.data.views.users import viewer_params
from services.data.views.videos import select_videos


@cache
def _page(anonymous: bool) -> Select[Any]:
    return (
        select_videos(anonymous)
        .where(Video.created_at < bindparam("before"))
        # (created_at, id) is one index: newest first, ties in a stable order
        .order_by(Video.created_at.desc(), Video.id.desc())
        .limit(bindparam("limit", type_=Integer))
    )


def newest_before(db: Reader, before: datetime, limit: int,
                  viewer_id: int | None) -> Sequence[Row[Any]]:
    """Up to `limit` videos published before `before`, newest first, as `select_videos` rows."""
    params = {"before": before, "limit": limit, **viewer_params(viewer_id)}
    return read(db, _page(viewer_id is None), params)
