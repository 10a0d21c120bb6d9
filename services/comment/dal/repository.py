"""Repository functions over `comments`."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.comment.dal.models import Comment


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
