"""The user use cases on a real, migrated MariaDB database."""

from __future__ import annotations

import secrets
import threading

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, event, func, select
from sqlalchemy.orm import Session, sessionmaker

from pki.jwtkeys import create_jwt_keypair, verify_token
from services.common import migrate
from services.common.errors import AppError, Code
from services.common.models import metadata
from services.user.dal.models import User
from services.user.pack import MediaDefaults, user_to_pb
from services.user.service.get_user import get_user, get_users
from services.user.service.login import login
from services.user.service.register import register
from services.user.service.tokens import TokenSigner

pytestmark = pytest.mark.stack
PRIVATE, PUBLIC = create_jwt_keypair()
SIGN = TokenSigner(PRIVATE)


def _name() -> str:
    return f"u{secrets.token_hex(6)}"


def test_migrations_and_models_do_not_drift(database_url: str) -> None:
    engine = create_engine(database_url)
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), metadata)
    engine.dispose()
    assert diff == []
    assert migrate.current(database_url) == "0001_users"


def test_register_then_login_gives_tokens_for_that_user(sessions) -> None:
    name = _name()
    user_id, token = register(sessions, SIGN, name, "secret123")
    assert verify_token(PUBLIC, token) == user_id
    again, token2 = login(sessions, SIGN, name, "secret123")
    assert again == user_id and verify_token(PUBLIC, token2) == user_id
    with sessions() as session:
        stored = session.get(User, user_id).password_hash
    assert stored.startswith("$2") and "secret123" not in stored


def test_usernames_are_unique_regardless_of_case(sessions) -> None:
    name = _name()
    register(sessions, SIGN, name, "secret123")
    for taken in (name, name.upper()):
        with pytest.raises(AppError) as info:
            register(sessions, SIGN, taken, "secret123")
        assert info.value.code == Code.ALREADY_EXISTS and "already taken" in info.value.message


def test_concurrent_registrations_of_one_name_make_one_account(sessions) -> None:
    name = _name()
    outcomes: list[object] = []

    def attempt() -> None:
        try:
            outcomes.append(register(sessions, SIGN, name, "secret123")[0])
        except AppError as exc:
            outcomes.append(exc.code)

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(isinstance(o, int) and not isinstance(o, Code) for o in outcomes) == 1
    assert outcomes.count(Code.ALREADY_EXISTS) == 7
    with sessions() as session:
        assert session.scalar(select(func.count()).where(User.username == name)) == 1


def test_wrong_password_and_unknown_user_are_indistinguishable(sessions) -> None:
    name = _name()
    register(sessions, SIGN, name, "secret123")
    errors = []
    for username, password in ((name, "wrong-pw"), (_name(), "secret123")):
        with pytest.raises(AppError) as info:
            login(sessions, SIGN, username, password)
        errors.append((info.value.code, info.value.message))
    assert errors[0] == errors[1] == (Code.WRONG_CREDENTIALS, "wrong username or password")


def test_a_failing_step_leaves_no_account_behind(sessions: sessionmaker[Session]) -> None:
    name = _name()

    def broken_signer(user_id: int) -> str:
        raise RuntimeError("key store unavailable")

    with pytest.raises(RuntimeError):
        register(sessions, broken_signer, name, "secret123")
    with sessions() as session:
        assert session.scalar(select(func.count()).where(User.username == name)) == 0


def test_get_user_and_unknown_ids(sessions) -> None:
    user_id, _ = register(sessions, SIGN, _name(), "secret123")
    assert get_user(sessions, user_id, None).id == user_id
    with pytest.raises(AppError) as info:
        get_user(sessions, 10**12, None)
    assert info.value.code == Code.NOT_FOUND and "does not exist" in info.value.message
    with pytest.raises(AppError) as bad:
        get_user(sessions, -1, None)
    assert bad.value.code == Code.INVALID_ARGUMENT


def test_get_users_keeps_order_skips_unknown_and_costs_one_statement(sessions) -> None:
    ids = [register(sessions, SIGN, _name(), "secret123")[0] for _ in range(3)]
    statements: list[str] = []
    engine = sessions.kw["bind"]

    def count(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        asked = [ids[2], 10**12, ids[0], ids[2], ids[1]]
        rows = get_users(sessions, asked, None)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert [r.id for r in rows] == [ids[2], ids[0], ids[2], ids[1]]
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 1


def test_pack_fills_every_field_with_default_media(sessions) -> None:
    user_id, _ = register(sessions, SIGN, _name(), "secret123")
    row = get_user(sessions, user_id, None)
    message = user_to_pb(row, MediaDefaults("http://m/a.png", "http://m/b.png"), is_follow=True)
    assert message.avatar == "http://m/a.png" and message.background_image == "http://m/b.png"
    assert message.is_follow is True and message.id == user_id and message.name == row.username
