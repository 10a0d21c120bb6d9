"""Use cases: whom a user follows, who follows them, and the caller's friends (mutual follows).

Each is a constant number of statements: the user's existence, then one statement for the users
with `is_follow` (and for friends one more for the latest messages).
"""

from __future__ import annotations

from functools import cache

from sqlalchemy import BigInteger, Select, bindparam, exists
from sqlalchemy.orm import Session, aliased, sessionmaker

from protos import relation_pb2, user_pb2
from services.data.db import transaction
from services.data.validate import positive_id
from services.mesh.errors import AppError, Code
from services.message.dal.repository import latest_messages
from services.relation.dal.models import Follow
from services.user.dal.models import User
from services.views.media import MediaUrls
from services.views.users import pack_rows, select_users, viewer_params

# a list endpoint without paging in the contract still answers in bounded time
LIST_LIMIT = 1000
USER = bindparam("user_id", type_=BigInteger)


@cache
def _following(anonymous: bool) -> Select[tuple[User, bool]]:
    return (
        select_users(anonymous)
        .join(Follow, Follow.followee_id == User.id)
        .where(Follow.follower_id == USER)
        .order_by(Follow.created_at.desc(), User.id)
        .limit(LIST_LIMIT)
    )


@cache
def _followers(anonymous: bool) -> Select[tuple[User, bool]]:
    return (
        select_users(anonymous)
        .join(Follow, Follow.follower_id == User.id)
        .where(Follow.followee_id == USER)
        .order_by(Follow.created_at.desc(), User.id)
        .limit(LIST_LIMIT)
    )


@cache
def _friends() -> Select[tuple[User, bool]]:
    back = aliased(Follow)
    return (
        _following(False)
        .where(exists().where(back.follower_id == User.id, back.followee_id == USER))
    )


def _list(sessions: sessionmaker[Session], statement: Select[tuple[User, bool]], user_id: int,
          viewer_id: int | None, media: MediaUrls) -> list[user_pb2.User]:
    positive_id(user_id, "user_id")
    with transaction(sessions) as session:
        if session.get(User, user_id) is None:
            raise AppError(Code.NOT_FOUND, f"user {user_id} does not exist")
        rows = session.execute(statement, {"user_id": user_id, **viewer_params(viewer_id)})
        return pack_rows(rows.all(), media)


def list_following(sessions: sessionmaker[Session], user_id: int, viewer_id: int | None,
                   media: MediaUrls) -> list[user_pb2.User]:
    """The users `user_id` follows, most recently followed first."""
    return _list(sessions, _following(viewer_id is None), user_id, viewer_id, media)


def list_followers(sessions: sessionmaker[Session], user_id: int, viewer_id: int | None,
                   media: MediaUrls) -> list[user_pb2.User]:
    """The users following `user_id`, most recent first."""
    return _list(sessions, _followers(viewer_id is None), user_id, viewer_id, media)


def list_friends(sessions: sessionmaker[Session], user_id: int, viewer_id: int,
                 media: MediaUrls) -> list[relation_pb2.FriendUser]:
    """The caller's mutual follows, each with the latest message between the two."""
    positive_id(user_id, "user_id")
    if user_id != viewer_id:
        raise AppError(Code.PERMISSION_DENIED, "you can only list your own friends")
    with transaction(sessions) as session:
        rows = session.execute(_friends(), {"user_id": user_id, "viewer_id": viewer_id})
        friends = pack_rows(rows.all(), media)
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
