"""A throwaway, migrated database on the real MariaDB, for the services' domain tests."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pymysql
import pytest
from sqlalchemy.orm import Session, sessionmaker

from services.common import migrate
from services.common.db import make_engine, session_factory
from stack.bootstrap import mysql_app_args
from stack.wiring import database_url as stack_database_url
from tests.conftest import RunningStack


@pytest.fixture(scope="module")
def database_url(running_stack: RunningStack) -> Iterator[str]:
    """A fresh database named `dytt_t<hex>`, migrated to head, dropped afterwards."""
    ctx = running_stack.context
    args = mysql_app_args(ctx, ctx.definition.components["mysql"])
    name = f"{args.pop('database')}_t{secrets.token_hex(4)}"
    conn = pymysql.connect(**args, autocommit=True)
    with conn.cursor() as cur:
        cur.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    url = stack_database_url(ctx, name)
    migrate.upgrade(url)
    try:
        yield url
    finally:
        with conn.cursor() as cur:
            cur.execute(f"DROP DATABASE `{name}`")
        conn.close()


@pytest.fixture(scope="module")
def sessions(database_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(database_url)
    yield session_factory(engine)
    engine.dispose()
