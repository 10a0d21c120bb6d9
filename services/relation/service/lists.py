"""Use cases: whom a user follows, who follows them, and the caller's friends (mutual follows).

Each is a constant number of statements: the user's existence, then one statement for the users
with `is_follow` (and for friends one more for the latest messages).
"""

from __future__ import annotations

from sqlalchemy import exists
from sqlalchemy.orm import Session, aliased, sessionmaker

from protos import relation_pb2, user_pb2
from services.common.db import transaction
from services.common.errors import AppError, Code
from services.common.validate import positive_id
from services.message.dal.repository import latest_messages
from services.relation.dal.models import Follow
from services.user.dal.models import User
from services.views.media import MediaUrls
from services.views.users import pack_rows, select_users

# a list endpoint without paging in the contract still answers in bounded time
LIST_LIMIT = 1000


def _require_user(session: Session, user_id: int) -> None:
    if session.get(User, user_id) is None:
        raise AppError(Code.NOT_FOUND, f"user {user_id} does not exist")


def list_following(sessions: sessionmaker[Session], user_id: int, viewer_id: int | None,
                   media: MediaUrls) -> list[user_pb2.User]:
    """The users `user_id` follows, most recently followed first."""
    positive_id(user_id, "user_id")
    statement = (
        select_users(viewer_id)
        .join(Follow, Follow.followee_id == User.id)
        .where(Follow.follower_id == user_id)
        .order_by(Follow.created_at.desc(), User.id)
        .limit(LIST_LIMIT)
    )
    with transaction(sessions) as session:
        _require_user(session, user_id)
        return pack_rows(session.execute(statement).all(), media)


def list_followers(sessions: sessionmaker[Session], user_id: int, viewer_id: int | None,
                   media: MediaUrls) -> list[user_pb2.User]:
    """The users following `user_id`, most recent first."""
    positive_id(user_id, "user_id")
    statement = (
        select_users(viewer_id)
        .join(Follow, Follow.follower_id == User.id)
        .where(Follow.followee_id == user_id)
        .order_by(Follow.created_at.desc(), User.id)
        .limit(LIST_LIMIT)
    )
    with transaction(sessions) as session:
        _require_user(session, user_id)
        return pack_rows(session.execute(statement).all(), media)


def list_friends(sessions: sessionmaker[Session], user_id: int, viewer_id: int,
                 media: MediaUrls) -> list[relation_pb2.FriendUser]:
    """The caller's mutual follows, each with the latest message between the two."""
    positive_id(user_id, "user_id")
    if user_id != viewer_id:
        raise AppError(Code.PERMISSION_DENIED, "you can only list your own friends")
    back = aliased(Follow)
    statement = (
        select_users(viewer_id)
        .join(Follow, Follow.followee_id == User.id)
        .where(Follow.follower_id == user_id)
        .where(exists().where(back.follower_id == User.id, back.followee_id == user_id))
        .order_by(Follow.created_at.desc(), User.id)
        .limit(LIST_LIMIT)
    )
    with transaction(sessions) as session:
        friends = pack_rows(session.execute(statement).all(), media)
        latest = latest_messages(session, user_id, [friend.id for friend in friends])
    result = []
    for friend in friends:
        message = latest.get(friend.id)
        result.append(relation_pb2.FriendUser(
            user=friend,
            message=message.content if message else "",
            # 1: the caller sent the latest message, 0: received it (or there is none)
            msg_type=1 if message and message.from_user_id == user_id else 0,
        ))
    return result
