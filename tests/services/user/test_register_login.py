"""Registering and logging in, on a real, migrated MariaDB database."""

from __future__ import annotations

import secrets
import threading
import time

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from pki.jwtkeys import create_jwt_keypair, verify_token
from services.data.models import User
from services.mesh.errors import AppError, Code
from services.user.service.login import login
from services.user.service.register import register
from services.user.tokens import TokenSigner

pytestmark = pytest.mark.stack

PRIVATE, PUBLIC = create_jwt_keypair()
SIGNER = TokenSigner(PRIVATE)


def _name() -> str:
    return f"u{secrets.token_hex(6)}"


def _count(sessions: sessionmaker[Session], username: str) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).where(User.username == username)) or 0


def _refusal(call) -> AppError:
    with pytest.raises(AppError) as info:
        call()
    return info.value


def test_register_then_login_give_tokens_of_that_user(sessions: sessionmaker[Session]) -> None:
    name = _name()
    user_id, token = register(sessions, SIGNER, name, "secret123")
    assert user_id > 0 and verify_token(PUBLIC, token) == user_id
    again, token2 = login(sessions, SIGNER, name, "secret123")
    assert again == user_id and verify_token(PUBLIC, token2) == user_id


def test_the_password_is_stored_as_a_bcrypt_hash(sessions: sessionmaker[Session]) -> None:
    user_id, _ = register(sessions, SIGNER, _name(), "secret123")
    with sessions() as session:
        user = session.get(User, user_id)
    assert user is not None
    assert user.password_hash.startswith("$2b$12$") and "secret123" not in user.password_hash


def test_a_new_account_has_empty_profile_and_zero_counters(sessions: sessionmaker[Session]) -> None:
    user_id, _ = register(sessions, SIGNER, _name(), "secret123")
    with sessions() as session:
        user = session.get(User, user_id)
    assert user is not None and user.created_at is not None
    assert (user.avatar, user.background_image, user.signature) == ("", "", "")
    assert (user.follow_count, user.follower_count, user.total_favorited, user.work_count,
            user.favorite_count) == (0, 0, 0, 0, 0)


def test_a_taken_username_is_already_exists_in_any_case(sessions: sessionmaker[Session]) -> None:
    name = _name()
    register(sessions, SIGNER, name, "secret123")
    for taken in (name, name.upper(), name.capitalize()):
        error = _refusal(lambda taken=taken: register(sessions, SIGNER, taken, "other-pass"))
        assert error.code == Code.ALREADY_EXISTS
        assert error.message == f"username '{taken}' is already taken"
    assert _count(sessions, name) == 1


def test_names_differing_in_case_or_accents_are_one_name(sessions: sessionmaker[Session]) -> None:
    # utf8mb4_unicode_520_ci: what a user reads as the same name is the same name
    suffix = secrets.token_hex(4)
    register(sessions, SIGNER, f"José{suffix}", "secret123")
    error = _refusal(lambda: register(sessions, SIGNER, f"jose{suffix}", "secret123"))
    assert error.code == Code.ALREADY_EXISTS
    # and logging in is as case-insensitive as uniqueness
    assert login(sessions, SIGNER, f"JOSÉ{suffix}", "secret123")[0] > 0


def test_distinct_emoji_and_rare_characters_are_distinct_names(
    sessions: sessionmaker[Session],
) -> None:
    # under utf8mb4_unicode_ci every character beyond the BMP weighs the same: these would clash
    suffix = secrets.token_hex(4)
    ids = {register(sessions, SIGNER, f"{c}{suffix}", "secret123")[0] for c in "😀😁𠀀𠀁"}
    assert len(ids) == 4


def test_concurrent_registrations_of_one_name_make_one_account(
    sessions: sessionmaker[Session],
) -> None:
    name = _name()
    barrier = threading.Barrier(8)
    created: list[int] = []
    refused: list[Code] = []
    unexpected: list[BaseException] = []

    def attempt() -> None:
        barrier.wait()
        try:
            created.append(register(sessions, SIGNER, name, "secret123")[0])
        except AppError as exc:
            refused.append(exc.code)
        except BaseException as exc:  # surfaced by the assertions below, not lost in the thread
            unexpected.append(exc)

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert unexpected == []
    assert len(created) == 1 and refused == [Code.ALREADY_EXISTS] * 7
    assert _count(sessions, name) == 1


def test_wrong_password_and_unknown_user_are_indistinguishable(
    sessions: sessionmaker[Session],
) -> None:
    name = _name()
    register(sessions, SIGNER, name, "secret123")
    wrong = _refusal(lambda: login(sessions, SIGNER, name, "secret124"))
    unknown = _refusal(lambda: login(sessions, SIGNER, _name(), "secret123"))
    assert (wrong.code, wrong.message) == (Code.WRONG_CREDENTIALS, "wrong username or password")
    assert (unknown.code, unknown.message) == (wrong.code, wrong.message)


def test_an_unknown_user_costs_a_password_verification(sessions: sessionmaker[Session]) -> None:
    name = _name()
    register(sessions, SIGNER, name, "secret123")

    def seconds(username: str) -> float:
        start = time.perf_counter()
        _refusal(lambda: login(sessions, SIGNER, username, "secret124"))
        return time.perf_counter() - start

    # bcrypt at cost 12 takes ~100x a primary-key lookup; half is a wide, stable margin
    known = min(seconds(name) for _ in range(3))
    unknown = min(seconds(_name()) for _ in range(3))
    assert unknown > known / 2


def test_a_failing_step_leaves_no_account_behind(sessions: sessionmaker[Session]) -> None:
    name = _name()

    def broken_signer(user_id: int) -> str:
        raise RuntimeError("key store unavailable")

    with pytest.raises(RuntimeError, match="key store unavailable"):
        register(sessions, broken_signer, name, "secret123")
    assert _count(sessions, name) == 0
    # and the name is free for the next attempt
    assert register(sessions, SIGNER, name, "secret123")[0] > 0
