"""The contract's limits, and that use cases check them before touching the database."""

from __future__ import annotations

from typing import cast

import pytest
from sqlalchemy.orm import Session, sessionmaker

from pki.jwtkeys import create_jwt_keypair
from services.data import validate
from services.data.views.media import MediaUrls
from services.mesh.errors import AppError, Code
from services.user.service.get_user import get_user, get_users
from services.user.service.login import login
from services.user.service.register import register
from services.user.tokens import TokenSigner


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "username must not be empty (1 to 32 characters)"),
        ("x" * 33, "username must be at most 32 characters, got 33"),
        ("李" * 33, "username must be at most 32 characters, got 33"),
        (" ann", "username must not start or end with whitespace"),
        ("ann ", "username must not start or end with whitespace"),
        ("ann\n", "username must not start or end with whitespace"),
        ("\u3000ann", "username must not start or end with whitespace"),
        ("an\x00n", "username must not contain control or invisible characters (U+0000 at"),
        ("a\tb", "username must not contain control or invisible characters (U+0009 at"),
        ("a\x7fb", "control or invisible characters (U+007F at position 2)"),
        ("a\u200bb", "control or invisible characters (U+200B at position 2)"),
        ("a\u202eb", "control or invisible characters (U+202E at position 2)"),
        ("a\u2028b", "control or invisible characters (U+2028 at position 2)"),
    ],
)
def test_bad_usernames_are_refused_naming_the_field(value: str, message: str) -> None:
    with pytest.raises(AppError) as info:
        validate.username(value)
    assert info.value.code == Code.INVALID_ARGUMENT
    assert info.value.message.startswith("username ")
    assert message in info.value.message


@pytest.mark.parametrize("value", ["a", "x" * 32, "李" * 32, "ann o'neil", "Änn-ß_1", "😀"])
def test_good_usernames_pass_unchanged(value: str) -> None:
    assert validate.username(value) == value


@pytest.mark.parametrize(("value", "length"), [("", 0), ("12345", 5), ("p" * 33, 33)])
def test_bad_passwords_are_refused_naming_the_limit(value: str, length: int) -> None:
    with pytest.raises(AppError) as info:
        validate.password(value)
    assert info.value.code == Code.INVALID_ARGUMENT
    assert info.value.message == f"password must be 6 to 32 characters, got {length}"


@pytest.mark.parametrize("value", ["123456", "p" * 32, "密" * 32, " with spaces "])
def test_good_passwords_pass(value: str) -> None:
    assert validate.password(value) == value


@pytest.mark.parametrize("value", [0, -1, 2**63, True])
def test_ids_must_be_positive_int64(value: int) -> None:
    with pytest.raises(AppError) as info:
        validate.positive_id(value, "to_user_id")
    assert info.value.code == Code.INVALID_ARGUMENT
    assert info.value.message.startswith("to_user_id must be a positive 64-bit integer")


def test_largest_id_passes() -> None:
    assert validate.positive_id(2**63 - 1, "user_id") == 2**63 - 1


class _NoDatabase:
    """A session factory that fails the test if a use case reaches the database."""

    def begin(self) -> None:
        raise AssertionError("the use case reached the database with invalid input")

    def __call__(self) -> None:
        self.begin()


NO_DB = cast(sessionmaker[Session], _NoDatabase())
MEDIA = MediaUrls("https://media.example")
SIGNER = TokenSigner(create_jwt_keypair()[0])


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: register(NO_DB, SIGNER, "", "secret123"), "username"),
        (lambda: register(NO_DB, SIGNER, "x" * 33, "secret123"), "username"),
        (lambda: register(NO_DB, SIGNER, "ann\x01", "secret123"), "username"),
        (lambda: register(NO_DB, SIGNER, "ann", "12345"), "password"),
        (lambda: register(NO_DB, SIGNER, "ann", "p" * 33), "password"),
        (lambda: login(NO_DB, SIGNER, "", "secret123"), "username"),
        (lambda: login(NO_DB, SIGNER, "ann", ""), "password"),
        (lambda: get_user(NO_DB, 0, None, MEDIA), "user_id"),
        (lambda: get_users(NO_DB, [1, -5, 2], None, MEDIA), "user_ids"),
    ],
)
def test_use_cases_refuse_bad_input_before_the_database(call, field: str) -> None:
    with pytest.raises(AppError) as info:
        call()
    assert info.value.code == Code.INVALID_ARGUMENT
    assert info.value.message.startswith(f"{field} ")
