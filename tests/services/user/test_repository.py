"""The users repository and table constraints, on a real, migrated MariaDB database."""

from __future__ import annotations

import secrets

import pytest
from sqlalchemy import update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from services.data.db import transaction
from services.data.models.user import COUNTERS, User
from services.mesh.errors import AppError, Code
from services.user.dal import repository

pytestmark = pytest.mark.stack


def _name() -> str:
    return f"r{secrets.token_hex(6)}"


def _id(user: User | None) -> int | None:
    return user.id if user else None


def test_a_taken_name_leaves_the_transaction_usable(sessions: sessionmaker[Session]) -> None:
    first, second = _name(), _name()
    with transaction(sessions) as session:
        created = repository.create_user(session, first, "$2b$12$hash")
        with pytest.raises(AppError) as info:
            repository.create_user(session, first.upper(), "$2b$12$hash")
        assert info.value.code == Code.ALREADY_EXISTS
        other = repository.create_user(session, second, "$2b$12$hash")
    # both inserts of the one transaction were committed; the refused one left nothing
    with sessions() as session:
        assert _id(repository.get_by_username(session, first)) == created.id
        assert _id(repository.get_by_username(session, second)) == other.id
    assert created.created_at is not None  # loaded by create_user, usable after the session


def test_lookups(sessions: sessionmaker[Session]) -> None:
    name = _name()
    with transaction(sessions) as session:
        user_id = repository.create_user(session, name, "$2b$12$hash").id
    with sessions() as session:
        assert _id(repository.get_by_id(session, user_id)) == user_id
        assert _id(repository.get_by_username(session, name.upper())) == user_id
        assert repository.get_by_username(session, _name()) is None
        assert repository.get_by_id(session, 2**62) is None
        assert set(repository.get_by_ids(session, [user_id, 2**62, user_id])) == {user_id}
        assert repository.get_by_ids(session, []) == {}


@pytest.mark.parametrize("counter", COUNTERS)
def test_counters_cannot_go_negative(sessions: sessionmaker[Session], counter: str) -> None:
    with transaction(sessions) as session:
        user_id = repository.create_user(session, _name(), "$2b$12$hash").id
    with pytest.raises(DBAPIError, match="CONSTRAINT"), transaction(sessions) as session:
        session.execute(update(User).where(User.id == user_id).values({counter: -1}))
