"""The contract's limits on user input, with messages that say what is wrong."""

from __future__ import annotations

import unicodedata

from services.common.errors import AppError, Code

USERNAME_MAX = 32
PASSWORD_MIN, PASSWORD_MAX = 6, 32


def username(value: str) -> str:
    """1 to 32 characters, no surrounding spaces, no control characters."""
    if not value:
        raise AppError(Code.INVALID_ARGUMENT, "username must not be empty")
    if len(value) > USERNAME_MAX:
        raise AppError(Code.INVALID_ARGUMENT,
                       f"username must be at most {USERNAME_MAX} characters, got {len(value)}")
    if value != value.strip():
        raise AppError(Code.INVALID_ARGUMENT, "username must not start or end with spaces")
    if any(unicodedata.category(ch).startswith("C") for ch in value):
        raise AppError(Code.INVALID_ARGUMENT, "username must not contain control characters")
    return value


def password(value: str) -> str:
    """6 to 32 characters."""
    if not PASSWORD_MIN <= len(value) <= PASSWORD_MAX:
        raise AppError(
            Code.INVALID_ARGUMENT,
            f"password must be {PASSWORD_MIN} to {PASSWORD_MAX} characters, got {len(value)}",
        )
    return value


def user_id(value: int, field: str = "user_id") -> int:
    """A positive id."""
    if value <= 0:
        raise AppError(Code.INVALID_ARGUMENT, f"{field} must be a positive integer, got {value}")
    return value
