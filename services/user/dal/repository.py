"""Repository functions over `users`; they take a Session and return ORM rows."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.common.errors import AppError, Code
from services.user.dal.models import User


def create_user(session: Session, username: str, password_hash: str) -> User:
    """Insert a user; a taken username is ALREADY_EXISTS (the unique index decides, not a read)."""
    user = User(username=username, password_hash=password_hash)
    try:
        with session.begin_nested():
            session.add(user)
    except IntegrityError as exc:
        raise AppError(Code.ALREADY_EXISTS, f"username {username!r} is already taken") from exc
    return user


def get_by_username(session: Session, username: str) -> User | None:
    """The user called `username`, if any."""
    return session.scalar(select(User).where(User.username == username))


def get_by_id(session: Session, user_id: int) -> User | None:
    """The user with `user_id`, if any."""
    return session.get(User, user_id)


def get_by_ids(session: Session, ids: Iterable[int]) -> dict[int, User]:
    """The users with these ids, by id, in one statement."""
    wanted = set(ids)
    if not wanted:
        return {}
    return {u.id: u for u in session.scalars(select(User).where(User.id.in_(wanted)))}
