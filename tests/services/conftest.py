"""A throwaway, migrated database on the real MariaDB, for the services' domain tests."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from typing import Any

import pymysql
import pytest
from sqlalchemy import URL, Engine, event
from sqlalchemy.orm import Session, sessionmaker

from services.data import counters, migrate
from services.data.db import DRIVER, make_engine, session_factory, transaction
from services.publish.dal.repository import add_video
from services.user.dal.repository import create_user
from stack.bootstrap import mysql_app_args
from tests.conftest import RunningStack


@pytest.fixture(scope="module")
def mysql_args(running_stack: RunningStack) -> dict[str, Any]:
    """pymysql connect arguments of the application user (database: dytt's main one)."""
    ctx = running_stack.context
    return mysql_app_args(ctx, ctx.definition.components["mysql"])


@pytest.fixture(scope="module")
def database_url(mysql_args: dict[str, Any]) -> Iterator[str]:
    """A fresh database `dytt_t<hex>`, migrated to head, dropped afterwards; its SQLAlchemy URL."""
    # the app user may create any database named dytt_*
    name = f"{mysql_args['database']}_t{secrets.token_hex(4)}"
    server = {k: v for k, v in mysql_args.items() if k != "database"}
    conn = pymysql.connect(**server, autocommit=True)
    try:
        with conn.cursor() as cur:
            # the same defaults as the real bootstrap, so the migration must state what differs
            cur.execute(
                f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
            )
        url = URL.create(
            DRIVER,
            username=server["user"],
            password=server["password"],
            host=server["host"],
            port=server["port"],
            database=name,
            query={"charset": "utf8mb4"},
        ).render_as_string(hide_password=False)
        migrate.upgrade(url)
        yield url
    finally:
        with conn.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
        conn.close()


@pytest.fixture(scope="module")
def engine(database_url: str) -> Iterator[Engine]:
    """The services' kind of engine on the throwaway database."""
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def sessions(engine: Engine) -> sessionmaker[Session]:
    """The services' kind of session factory on the throwaway database."""
    return session_factory(engine)


@pytest.fixture
def statements(engine: Engine) -> Iterator[list[str]]:
    """The SQL statements sent through `engine` while the test runs."""
    sent: list[str] = []

    def record(conn, cursor, statement: str, parameters, context, executemany) -> None:
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    yield sent
    event.remove(engine, "before_cursor_execute", record)


@pytest.fixture(scope="module")
def make_users(sessions: sessionmaker[Session]) -> Callable[[int], list[int]]:
    """Creates `n` users; their ids."""

    def make(n: int) -> list[int]:
        with transaction(sessions) as session:
            return [create_user(session, f"s{secrets.token_hex(6)}", "x").id for _ in range(n)]

    return make


@pytest.fixture(scope="module")
def make_videos(sessions: sessionmaker[Session]) -> Callable[[int, int], list[int]]:
    """Publishes `n` videos of `author` the way the publish use case records them; their ids."""

    def make(author: int, n: int) -> list[int]:
        with transaction(sessions) as session:
            ids = [add_video(session, author, f"clip {i}", f"videos/{secrets.token_hex(8)}.mp4",
                             f"covers/{secrets.token_hex(8)}.jpg").id for i in range(n)]
            counters.published(session, author, n)
            return ids

    return make
