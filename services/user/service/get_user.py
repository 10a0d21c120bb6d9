"""Use cases: read one user, or several at once, as the viewer sees them (`is_follow`)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session, sessionmaker

from protos import user_pb2
from services.data.db import read_transaction
from services.data.validate import positive_id
from services.data.views.media import MediaUrls
from services.data.views.users import users_by_id
from services.mesh.errors import AppError, Code


def get_user(sessions: sessionmaker[Session], user_id: int, viewer_id: int | None,
             media: MediaUrls) -> user_pb2.User:
    """The user `user_id`; NOT_FOUND when there is none. One statement."""
    positive_id(user_id, "user_id")
    with read_transaction(sessions) as db:
        found = users_by_id(db, [user_id], viewer_id, media)
    if user_id not in found:
        raise AppError(Code.NOT_FOUND, f"user {user_id} does not exist")
    return found[user_id]


def get_users(sessions: sessionmaker[Session], ids: Sequence[int], viewer_id: int | None,
              media: MediaUrls) -> list[user_pb2.User]:
    """The users with `ids` in the order asked, repeats included; unknown ids are left out."""
    for user_id in ids:
        positive_id(user_id, "user_ids")
    with read_transaction(sessions) as db:
        found = users_by_id(db, ids, viewer_id, media)
    return [found[i] for i in ids if i in found]
