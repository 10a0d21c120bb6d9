"""Repository functions over `users`: they take a Session and return ORM rows."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.data.models import User
from services.mesh.errors import AppError, Code

# MySQL/MariaDB's ER_DUP_ENTRY; other integrity errors are bugs, not taken names.
_DUPLICATE_ENTRY = 1062


def create_user(session: Session, username: str, password_hash: str) -> User:
    """Insert a user; a taken username is ALREADY_EXISTS and leaves the session usable."""
    user = User(username=username, password_hash=password_hash)
    try:
        # the unique index decides, not a read first (two racing inserts both pass a read);
        # the savepoint confines the failed insert, so the caller's transaction goes on
        with session.begin_nested():
            session.add(user)
    except IntegrityError as exc:
        if _errno(exc) != _DUPLICATE_ENTRY:
            raise
        raise AppError(Code.ALREADY_EXISTS, f"username '{username}' is already taken") from None
    # load what the server filled in (created_at) while the row is at hand
    session.refresh(user)
    return user


def get_by_username(session: Session, username: str) -> User | None:
    """The user called `username` under the column's collation, if any."""
    return session.scalar(select(User).where(User.username == username))


def get_by_id(session: Session, user_id: int) -> User | None:
    """The user with `user_id`, if any."""
    return session.get(User, user_id)


def get_by_ids(session: Session, ids: Iterable[int]) -> dict[int, User]:
    """The users with these ids, by id, in one statement (none for no ids)."""
    wanted = set(ids)
    if not wanted:
        return {}
    return {user.id: user for user in session.scalars(select(User).where(User.id.in_(wanted)))}


def _errno(exc: IntegrityError) -> int | None:
    args = getattr(exc.orig, "args", ())
    return args[0] if args and isinstance(args[0], int) else None

