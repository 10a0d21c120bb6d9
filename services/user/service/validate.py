"""The contract's limits on user input, with messages that name the field and the limit."""

from __future__ import annotations

import unicodedata

from services.common.errors import AppError, Code

USERNAME_MIN, USERNAME_MAX = 1, 32
PASSWORD_MIN, PASSWORD_MAX = 6, 32
ID_MAX = 2**63 - 1  # BIGINT, and the contract's int64
# control, invisible formatting (zero-width, bidi overrides), surrogates, private use, line breaks
_FORBIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Zl", "Zp"})


def _invalid(message: str) -> AppError:
    return AppError(Code.INVALID_ARGUMENT, message)


def username(value: str) -> str:
    """A username of 1 to 32 characters, taken as is: no outer whitespace, no control characters."""
    if len(value) < USERNAME_MIN:
        raise _invalid(f"username must not be empty ({USERNAME_MIN} to {USERNAME_MAX} characters)")
    if len(value) > USERNAME_MAX:
        raise _invalid(f"username must be at most {USERNAME_MAX} characters, got {len(value)}")
    # rejected rather than stripped: the name stored is exactly the name the user typed
    if value != value.strip():
        raise _invalid("username must not start or end with whitespace")
    for position, char in enumerate(value, start=1):
        if unicodedata.category(char) in _FORBIDDEN_CATEGORIES:
            raise _invalid(
                "username must not contain control or invisible characters "
                f"(U+{ord(char):04X} at position {position})"
            )
    return value


def password(value: str) -> str:
    """A password of 6 to 32 characters."""
    if not PASSWORD_MIN <= len(value) <= PASSWORD_MAX:
        raise _invalid(
            f"password must be {PASSWORD_MIN} to {PASSWORD_MAX} characters, got {len(value)}"
        )
    return value


def required(field: str, value: str) -> str:
    """A non-empty string."""
    if not value:
        raise _invalid(f"{field} is required")
    return value


def user_id(value: int, field: str = "user_id") -> int:
    """A positive 64-bit id."""
    # bool is an int subclass; True as an id is always a bug
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= ID_MAX:
        raise _invalid(f"{field} must be a positive 64-bit integer, got {value!r}")
    return value
