"""The comment service's own queries over `comments`."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import Session

from services.data.models import Comment

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
def _comments_on() -> Select[tuple[Comment]]:
    return (
        select(Comment)
        .where(Comment.video_id == bindparam("video_id"))
        .order_by(Comment.created_at.desc(), Comment.id.desc())
        .limit(LIST_LIMIT)
    )


def newest_on(session: Session, video_id: int) -> Sequence[Comment]:
    """The newest LIST_LIMIT comments on the video, newest first."""
    return session.scalars(_comments_on(), {"video_id": video_id}).all()
