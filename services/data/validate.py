"""Limits on client input shared by every service, with messages that name the field and limit."""

from __future__ import annotations

import unicodedata

from services.mesh.errors import AppError, Code

ID_MAX = 2**63 - 1  # BIGINT, and the contract's int64
# the contract's limits; usernames fit users.username (VARCHAR(32))
USERNAME_MIN, USERNAME_MAX = 1, 32
PASSWORD_MIN, PASSWORD_MAX = 6, 32
# control, invisible formatting (zero-width, bidi overrides), surrogates, private use, line breaks
FORBIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Zl", "Zp"})
# what multi-line text (comments, messages) may contain besides printable characters
_MULTILINE_ALLOWED = frozenset("\n\t")
# ZWJ joins emoji sequences (👨‍👩‍👧): legitimate in free text, unlike in names
_ZWJ = "\u200d"


def invalid(message: str) -> AppError:
    """The error of a request whose input breaks a limit."""
    return AppError(Code.INVALID_ARGUMENT, message)


def positive_id(value: int, field: str) -> int:
    """A positive 64-bit id."""
    # bool is an int subclass; True as an id is always a bug
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= ID_MAX:
        raise invalid(f"{field} must be a positive 64-bit integer, got {value!r}")
    return value


def text(value: str, field: str, minimum: int, maximum: int, *, multiline: bool = False) -> str:
    """Free text of `minimum` to `maximum` characters that is not only whitespace."""
    if not value.strip():
        raise invalid(f"{field} must not be empty ({minimum} to {maximum} characters)")
    if not minimum <= len(value) <= maximum:
        raise invalid(f"{field} must be {minimum} to {maximum} characters, got {len(value)}")
    for position, char in enumerate(value, start=1):
        if multiline and (char in _MULTILINE_ALLOWED or char == _ZWJ):
            continue
        if unicodedata.category(char) in FORBIDDEN_CATEGORIES:
            raise invalid(
                f"{field} must not contain control or invisible characters "
                f"(U+{ord(char):04X} at position {position})"
            )
    return value


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
