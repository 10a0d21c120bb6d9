"""Use case: log in with a username and a password."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker

from services.common.db import transaction
from services.common.errors import AppError, Code
from services.user.dal import repository
from services.user.passwords import verify_password

WRONG = "wrong username or password"


def login(sessions: sessionmaker[Session], signer: Callable[[int], str], username: str,
          password: str) -> tuple[int, str]:
    """The user's id and a new token; the same error whether the name or the password is wrong."""
    if not username or not password:
        raise AppError(Code.INVALID_ARGUMENT, "username and password are required")
    with transaction(sessions) as session:
        user = repository.get_by_username(session, username)
        stored = user.password_hash if user else None
    if not verify_password(password, stored) or user is None:
        raise AppError(Code.WRONG_CREDENTIALS, WRONG)
    return user.id, signer(user.id)
