"""Use case: create an account; registering logs in."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker

from services.common.db import transaction
from services.user.dal import repository
from services.user.passwords import hash_password
from services.user.service import validate


def register(sessions: sessionmaker[Session], signer: Callable[[int], str], username: str,
             password: str) -> tuple[int, str]:
    """The new user's id and a token for it."""
    validate.username(username)
    validate.password(password)
    hashed = hash_password(password)  # slow on purpose: outside the transaction
    with transaction(sessions) as session:
        user = repository.create_user(session, username, hashed)
        session.flush()
        # signing inside the transaction: if it fails, the account is not left half-made
        return user.id, signer(user.id)
