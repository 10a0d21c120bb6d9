"""The comment service's own queries over `comments`."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from sqlalchemy import BigInteger, Row, Select, bindparam, select
from sqlalchemy.orm import Session

from services.data.db import Reader, read
from services.data.models import Comment
from services.data.views.times import epoch_ms_column

# a list endpoint without paging in the contract still answers in bounded time
LIST_LIMIT = 500


def add(session: Session, video_id: int, user_id: int, content: str) -> Comment:
    """Insert a comment; its id and time are loaded."""
    comment = Comment(video_id=video_id, user_id=user_id, content=content)
    session.add(comment)
    session.flush()
    session.refresh(comment)
    return comment


def lock(session: Session, comment_id: int) -> Comment | None:
    """The comment, locked for update until the transaction ends."""
    return session.scalar(select(Comment).where(Comment.id == comment_id).with_for_update())


@cache
def _comments_on() -> Select[Any]:
    return (
        select(Comment.id, Comment.user_id, Comment.content,
               epoch_ms_column(Comment.created_at).label("created_ms"))
        .where(Comment.video_id == bindparam("video_id", type_=BigInteger))
        .order_by(Comment.created_at.desc(), Comment.id.desc())
        .limit(LIST_LIMIT)
    )


def newest_on(db: Reader, video_id: int) -> Sequence[Row[tuple[int, int, str, int]]]:
    """The newest LIST_LIMIT comments on the video, newest first: rows of
    (id, user_id, content, created_ms)."""
    return read(db, _comments_on(), {"video_id": video_id})
