"""Use cases: read one user, or several at once."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session, sessionmaker

from services.common.db import transaction
from services.common.errors import AppError, Code
from services.user.dal import repository
from services.user.dal.models import User
from services.user.service import validate

# viewer_id is part of the signatures because what a viewer sees (is_follow) depends on it; the
# relation service answers that part, so these use cases do not read it yet.


def get_user(sessions: sessionmaker[Session], user_id: int, viewer_id: int | None) -> User:
    """The user `user_id`; NOT_FOUND when there is none."""
    validate.user_id(user_id)
    with transaction(sessions) as session:
        user = repository.get_by_id(session, user_id)
    if user is None:
        raise AppError(Code.NOT_FOUND, f"user {user_id} does not exist")
    return user


def get_users(
    sessions: sessionmaker[Session], ids: Sequence[int], viewer_id: int | None
) -> list[User]:
    """The users with `ids` in the order asked, repeats included; unknown ids are left out."""
    for user_id in ids:
        validate.user_id(user_id, "user_ids")
    with transaction(sessions) as session:
        found = repository.get_by_ids(session, ids)
    return [found[i] for i in ids if i in found]
