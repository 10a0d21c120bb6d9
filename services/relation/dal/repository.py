"""Repository functions over `follows`."""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.orm import Session

from services.relation.dal.models import Follow


def add(session: Session, follower_id: int, followee_id: int) -> bool:
    """Record the follow; False when it already existed.

    The caller holds both users' row locks, so no other follow of the same pair can come between
    the check and the insert (and the primary key would refuse it anyway).
    """
    if session.get(Follow, (follower_id, followee_id)) is not None:
        return False
    session.add(Follow(follower_id=follower_id, followee_id=followee_id))
    session.flush()
    return True


def remove(session: Session, follower_id: int, followee_id: int) -> bool:
    """Forget the follow; False when there was none."""
    result = session.execute(
        delete(Follow).where(Follow.follower_id == follower_id, Follow.followee_id == followee_id)
    )
    return result.rowcount == 1
