"""Password hashing, without a server."""

from __future__ import annotations

import pytest

from services.user import passwords


@pytest.fixture(scope="module")
def stored() -> str:
    return passwords.hash_password("secret123")


def test_the_stored_value_is_a_salted_bcrypt_hash(stored: str) -> None:
    assert stored.startswith("$2b$12$") and len(stored) == 60
    assert "secret123" not in stored
    assert passwords.hash_password("secret123") != stored


def test_only_the_password_verifies(stored: str) -> None:
    assert passwords.verify_password("secret123", stored)
    assert not passwords.verify_password("secret124", stored)
    assert not passwords.verify_password("Secret123", stored)
    assert not passwords.verify_password("", stored)


def test_every_character_of_a_long_multibyte_password_counts() -> None:
    # 32 CJK characters are 96 bytes of UTF-8: beyond bcrypt's 72, which bcrypt>=5 refuses
    password = "密" * 32
    stored = passwords.hash_password(password)
    assert passwords.verify_password(password, stored)
    assert not passwords.verify_password("密" * 31 + "码", stored)


@pytest.mark.parametrize(
    "bad", ["", "not-a-bcrypt-hash", "$2b$12$tooshort", "é" * 60, "\x00" * 60]
)
def test_a_malformed_stored_hash_never_matches_and_never_raises(bad: str) -> None:
    assert passwords.verify_password("secret123", bad) is False


def test_no_stored_hash_never_matches() -> None:
    assert passwords.verify_password("dytt-dummy-password", None) is False
