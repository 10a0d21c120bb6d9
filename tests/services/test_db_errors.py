"""A lost database connection is UNAVAILABLE (nothing committed) or, when it broke during the
COMMIT of a write, OUTCOME_UNKNOWN; never an internal error. On the real MariaDB."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pymysql
import pytest
from sqlalchemy import Engine, event, text
from sqlalchemy.orm import Session, sessionmaker

from services.data.db import (
    atomic,
    make_engine,
    read,
    read_transaction,
    session_factory,
    transaction,
)
from services.mesh.errors import AppError, Code

pytestmark = pytest.mark.stack


@pytest.fixture
def scratch(engine: Engine) -> Iterator[str]:
    """An empty table of its own."""
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE IF NOT EXISTS scratch (id INT PRIMARY KEY)"))
        conn.execute(text("DELETE FROM scratch"))
    yield "scratch"


def _rows(engine: Engine) -> list[int]:
    with engine.connect() as conn:
        return [r[0] for r in conn.execute(text("SELECT id FROM scratch ORDER BY id"))]


def _kill(mysql_args: dict[str, Any], connection_id: int) -> None:
    """Kill a server connection from another one, as a restart or an operator would."""
    killer = pymysql.connect(**mysql_args, autocommit=True)
    try:
        with killer.cursor() as cur:
            cur.execute(f"KILL CONNECTION {int(connection_id)}")
    finally:
        killer.close()


def test_a_connection_lost_mid_transaction_is_unavailable_and_commits_nothing(
        sessions: sessionmaker[Session], engine: Engine, mysql_args: dict[str, Any],
        scratch: str) -> None:
    with pytest.raises(AppError) as info, transaction(sessions) as session:
        session.execute(text("INSERT INTO scratch VALUES (1)"))
        _kill(mysql_args, session.execute(text("SELECT CONNECTION_ID()")).scalar_one())
        session.execute(text("INSERT INTO scratch VALUES (2)"))
    assert info.value.code == Code.UNAVAILABLE
    assert "temporarily unavailable" in info.value.message
    assert _rows(engine) == []
    # the pool hands out a working connection next time
    with transaction(sessions) as session:
        session.execute(text("INSERT INTO scratch VALUES (3)"))
    assert _rows(engine) == [3]


def test_a_connection_lost_during_commit_is_an_unknown_outcome(
        sessions: sessionmaker[Session], engine: Engine, mysql_args: dict[str, Any],
        scratch: str) -> None:
    def work(session: Session) -> None:
        session.execute(text("INSERT INTO scratch VALUES (4)"))
        connection_id = session.execute(text("SELECT CONNECTION_ID()")).scalar_one()

        def kill_first(_session: Session) -> None:
            _kill(mysql_args, connection_id)

        event.listen(session, "before_commit", kill_first, once=True)

    with pytest.raises(AppError) as info:
        atomic(sessions, work)
    assert info.value.code == Code.OUTCOME_UNKNOWN
    assert "may or may not" in info.value.message


def test_statement_errors_are_not_taken_for_a_lost_connection(
        sessions: sessionmaker[Session], scratch: str) -> None:
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError), transaction(sessions) as session:
        session.execute(text("INSERT INTO scratch VALUES (5), (5)"))


def test_a_read_whose_connection_is_lost_is_unavailable_even_at_commit(
        sessions: sessionmaker[Session], mysql_args: dict[str, Any]) -> None:
    for at_commit in (False, True):
        with pytest.raises(AppError) as info, read_transaction(sessions) as db:
            _kill(mysql_args, read(db, text("SELECT CONNECTION_ID()"))[0][0])
            if not at_commit:
                read(db, text("SELECT 1"))
        # a read wrote nothing: its outcome is never unknown, trying again is safe
        assert info.value.code == Code.UNAVAILABLE, at_commit
    with read_transaction(sessions) as db:
        assert read(db, text("SELECT 1")) == [(1,)]


def test_a_connection_dropped_while_pooled_fails_no_write_and_one_read_at_most(
        database_url: str, mysql_args: dict[str, Any], scratch: str) -> None:
    engine = make_engine(database_url, pool_size=1)
    sessions = session_factory(engine)
    try:
        def pooled_id() -> int:
            with read_transaction(sessions) as db:
                return int(read(db, text("SELECT CONNECTION_ID()"))[0][0])

        # a write pings the connection it takes: a dead one is replaced before any statement
        first = pooled_id()
        _kill(mysql_args, first)
        with transaction(sessions) as session:
            session.execute(text("INSERT INTO scratch VALUES (6)"))
        assert _rows(engine) == [6]
        # a read does not ping: it fails as UNAVAILABLE (the gateway sends it again) and the
        # pool lets go of the dead connection, so the next read gets a live one
        second = pooled_id()
        assert second != first
        _kill(mysql_args, second)
        with pytest.raises(AppError) as info, read_transaction(sessions) as db:
            read(db, text("SELECT 1"))
        assert info.value.code == Code.UNAVAILABLE
        assert pooled_id() not in (first, second)
    finally:
        engine.dispose()
