"""Password hashing with bcrypt."""

from __future__ import annotations

import bcrypt

# Spent on unknown usernames so that login time does not tell which names exist.
_DUMMY_HASH = bcrypt.hashpw(b"dytt-dummy-password", bcrypt.gensalt()).decode()


def hash_password(password: str) -> str:
    """A salted bcrypt hash (passwords are at most 32 characters, under bcrypt's 72 bytes)."""
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt()).decode()


def verify_password(password: str, stored: str | None) -> bool:
    """Whether `password` matches `stored`; a missing or malformed hash never matches."""
    try:
        return bcrypt.checkpw(password.encode(), (stored or _DUMMY_HASH).encode()) and bool(stored)
    except ValueError:
        return False
