"""Use case: log in with a username and a password."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker

from services.data import validate
from services.data.db import transaction
from services.mesh.errors import AppError, Code
from services.user.dal import repository
from services.user.passwords import verify_password

# One message for an unknown name and a wrong password: which it was is not the client's to know.
WRONG_CREDENTIALS = "wrong username or password"


def login(
    sessions: sessionmaker[Session], signer: Callable[[int], str], username: str, password: str
) -> tuple[int, str]:
    """The user's id and a new token; WRONG_CREDENTIALS if the name or the password is wrong."""
    validate.required("username", username)
    validate.required("password", password)
    with transaction(sessions) as session:
        user = repository.get_by_username(session, username)
    # verified after the transaction (bcrypt is slow); an unknown user costs a dummy verification
    if not verify_password(password, user.password_hash if user else None) or user is None:
        raise AppError(Code.WRONG_CREDENTIALS, WRONG_CREDENTIALS)
    return user.id, signer(user.id)
