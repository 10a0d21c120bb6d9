"""The contract's limits on user input, with messages that name the field and the limit."""

from __future__ import annotations

import unicodedata

from services.data.validate import FORBIDDEN_CATEGORIES, invalid, positive_id

USERNAME_MIN, USERNAME_MAX = 1, 32
PASSWORD_MIN, PASSWORD_MAX = 6, 32


def username(value: str) -> str:
    """A username of 1 to 32 characters, taken as is: no outer whitespace, no control characters."""
    if len(value) < USERNAME_MIN:
        raise invalid(f"username must not be empty ({USERNAME_MIN} to {USERNAME_MAX} characters)")
    if len(value) > USERNAME_MAX:
        raise invalid(f"username must be at most {USERNAME_MAX} characters, got {len(value)}")
    # rejected rather than stripped: the name stored is exactly the name the user typed
    if value != value.strip():
        raise invalid("username must not start or end with whitespace")
    for position, char in enumerate(value, start=1):
        if unicodedata.category(char) in FORBIDDEN_CATEGORIES:
            raise invalid(
                "username must not contain control or invisible characters "
                f"(U+{ord(char):04X} at position {position})"
            )
    return value


def password(value: str) -> str:
    """A password of 6 to 32 characters."""
    if not PASSWORD_MIN <= len(value) <= PASSWORD_MAX:
        raise invalid(
            f"password must be {PASSWORD_MIN} to {PASSWORD_MAX} characters, got {len(value)}"
        )
    return value


def required(field: str, value: str) -> str:
    """A non-empty string."""
    if not value:
        raise invalid(f"{field} is required")
    return value


def user_id(value: int, field: str = "user_id") -> int:
    """A positive 64-bit id."""
    return positive_id(value, field)
