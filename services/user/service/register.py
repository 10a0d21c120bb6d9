"""Use case: create an account; registering logs in."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker

from services.data import validate
from services.data.db import transaction
from services.user.dal import repository
from services.user.passwords import hash_password


def register(
    sessions: sessionmaker[Session], signer: Callable[[int], str], username: str, password: str
) -> tuple[int, str]:
    """Create the account; the new user's id and a token for it."""
    validate.username(username)
    validate.password(password)
    # slow on purpose (bcrypt), so it runs before the transaction, not while holding a connection
    hashed = hash_password(password)
    with transaction(sessions) as session:
        user = repository.create_user(session, username, hashed)
        # signed inside the transaction: if signing fails, no account without a token is left
        return user.id, signer(user.id)
