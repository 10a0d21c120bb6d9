"""Use cases: whom a user follows, who follows them, and the caller's friends (mutual follows).

Each is a constant number of statements: one for the users with `is_follow`, then the user's
existence only when that list is empty (for friends, one for the latest messages instead).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import Session, sessionmaker

from protos import relation_pb2, user_pb2
from services.data.checks import existing_user
from services.data.db import read, read_transaction
from services.data.validate import positive_id
from services.data.views.media import MediaUrls
from services.data.views.users import pack_rows, viewer_params
from services.mesh.errors import AppError, Code
from services.relation.dal import repository
from services.relation.pack import friend_pb


def _list(sessions: sessionmaker[Session], statement: Select[Any], user_id: int,
          viewer_id: int | None, media: MediaUrls) -> list[user_pb2.User]:
    positive_id(user_id, "user_id")
    with read_transaction(sessions) as db:
        rows = read(db, statement, {"user_id": user_id, **viewer_params(viewer_id)})
        if not rows:
            # a follow names both users through foreign keys: only no follows needs the check
            existing_user(db, user_id)
        return pack_rows(rows, media)


def list_following(sessions: sessionmaker[Session], user_id: int, viewer_id: int | None,
                   media: MediaUrls) -> list[user_pb2.User]:
    """The users `user_id` follows, most recently followed first."""
    return _list(sessions, repository.following(viewer_id is None), user_id, viewer_id, media)


def list_followers(sessions: sessionmaker[Session], user_id: int, viewer_id: int | None,
                   media: MediaUrls) -> list[user_pb2.User]:
    """The users following `user_id`, most recent first."""
    return _list(sessions, repository.followers(viewer_id is None), user_id, viewer_id, media)


def list_friends(sessions: sessionmaker[Session], user_id: int, viewer_id: int,
                 media: MediaUrls) -> list[relation_pb2.FriendUser]:
    """The caller's mutual follows, each with the latest message between the two."""
    positive_id(user_id, "user_id")
    if user_id != viewer_id:
        raise AppError(Code.PERMISSION_DENIED, "you can only list your own friends")
    with read_transaction(sessions) as db:
        rows = read(db, repository.friends(), {"user_id": user_id, "viewer_id": viewer_id})
        friends = pack_rows(rows, media)
        latest = repository.latest_messages(db, user_id, [friend.id for friend in friends])
    return [friend_pb(friend, latest.get(friend.id), user_id) for friend in friends]
