"""The user limits and password hashing, without a server."""

from __future__ import annotations

import pytest

from services.common.errors import AppError, Code
from services.user import passwords
from services.user.service import validate


@pytest.mark.parametrize(
    ("value", "message"),
    [("", "must not be empty"), ("x" * 33, "at most 32"), (" ann", "spaces"),
     ("ann ", "spaces"), ("an\x00n", "control"), ("a\tb", "control")],
)
def test_bad_usernames(value: str, message: str) -> None:
    with pytest.raises(AppError) as info:
        validate.username(value)
    assert info.value.code == Code.INVALID_ARGUMENT
    assert message in info.value.message and "username" in info.value.message


def test_good_usernames_pass_unchanged() -> None:
    for name in ("a", "x" * 32, "李雷", "ann.o'neil"):
        assert validate.username(name) == name


@pytest.mark.parametrize("value", ["", "12345", "p" * 33])
def test_bad_passwords(value: str) -> None:
    with pytest.raises(AppError, match="password must be 6 to 32 characters"):
        validate.password(value)


def test_password_hash_verifies_only_the_password() -> None:
    stored = passwords.hash_password("secret123")
    assert stored.startswith("$2") and "secret123" not in stored
    assert passwords.verify_password("secret123", stored)
    assert not passwords.verify_password("secret124", stored)
    assert not passwords.verify_password("secret123", None)
    assert not passwords.verify_password("secret123", "not-a-bcrypt-hash")
