"""Use cases: follow and unfollow, idempotently, with both users' counters in one transaction."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from services.data import counters
from services.data.db import atomic
from services.data.locks import lock_users
from services.data.validate import invalid, positive_id
from services.mesh.errors import AppError, Code
from services.relation.dal import repository


def set_follow(sessions: sessionmaker[Session], follower_id: int, followee_id: int,
               following: bool) -> bool:
    """Follow (or unfollow) `followee_id` as `follower_id`; whether anything changed.

    Following twice or unfollowing a stranger changes nothing; following oneself is refused.
    The follow row and both counters change together or not at all.
    """
    positive_id(followee_id, "to_user_id")
    if followee_id == follower_id:
        raise invalid("you cannot follow yourself" if following else "you cannot unfollow yourself")

    def work(session: Session) -> bool:
        if followee_id not in lock_users(session, [followee_id], caller=follower_id):
            raise AppError(Code.NOT_FOUND, f"user {followee_id} does not exist")
        changed = (repository.add if following else repository.remove)(
            session, follower_id, followee_id
        )
        if changed:
            counters.followed(session, follower_id, followee_id, 1 if following else -1)
        return changed

    return atomic(sessions, work)
