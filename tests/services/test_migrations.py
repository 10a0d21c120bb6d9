"""The Alembic migrations against the models, on a real MariaDB database."""

from __future__ import annotations

import secrets
from typing import Any

import pymysql
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import URL, CheckConstraint, Engine, make_url, text
from sqlalchemy.exc import DBAPIError

from services.data import migrate
from services.data.db import DRIVER
from services.data.schema import metadata

pytestmark = pytest.mark.stack


def _head() -> str | None:
    return ScriptDirectory(str(migrate.MIGRATIONS)).get_current_head()


def test_migrated_schema_matches_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "compare_server_default": True}
        )
        assert compare_metadata(context, metadata) == []


def test_table_options_and_checks_match_the_models(engine: Engine) -> None:
    # autogenerate compares neither table collations nor CHECK constraints: compare them here
    with engine.connect() as connection:
        schema = connection.scalar(text("SELECT DATABASE()"))
        collations = dict(connection.execute(text(
            "SELECT TABLE_NAME, TABLE_COLLATION FROM information_schema.TABLES "
            "WHERE TABLE_SCHEMA = :s"), {"s": schema}).all())
        checks = set(connection.scalars(text(
            "SELECT CONSTRAINT_NAME FROM information_schema.CHECK_CONSTRAINTS "
            "WHERE CONSTRAINT_SCHEMA = :s"), {"s": schema}))
    for table in metadata.sorted_tables:
        assert collations[table.name] == table.kwargs["mysql_collate"]
    assert checks == {
        str(c.name)
        for table in metadata.sorted_tables
        for c in table.constraints
        if isinstance(c, CheckConstraint)
    }


def test_current_is_the_head_after_upgrade(database_url: str) -> None:
    assert _head() == "0003_media_keys"
    assert migrate.current(database_url) == _head()
    migrate.upgrade(database_url)  # at head already: nothing to do, nothing fails
    assert migrate.current(database_url) == _head()


def test_urls_with_percent_escapes_survive_the_config(
    database_url: str, mysql_args: dict[str, Any]
) -> None:
    # configparser would read '%xx' as interpolation; every byte of the user name escaped
    url = make_url(database_url)
    escaped = "".join(f"%{byte:02X}" for byte in str(url.username).encode())
    raw = url.render_as_string(hide_password=False).replace(
        f"//{url.username}:", f"//{escaped}:", 1
    )
    assert escaped in raw
    migrate.upgrade(raw)
    assert migrate.current(raw) == _head()


def test_current_is_none_before_the_first_migration(mysql_args: dict[str, Any]) -> None:
    name = f"{mysql_args['database']}_t{secrets.token_hex(4)}"
    server = {k: v for k, v in mysql_args.items() if k != "database"}
    conn = pymysql.connect(**server, autocommit=True)
    try:
        with conn.cursor() as cur:
            cur.execute(f"CREATE DATABASE `{name}`")
        url = URL.create(
            DRIVER, username=server["user"], password=server["password"],
            host=server["host"], port=server["port"], database=name,
        ).render_as_string(hide_password=False)
        assert migrate.current(url) is None
    finally:
        with conn.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
        conn.close()


def test_the_social_tables_enforce_at_most_one_and_no_dangling_references(engine: Engine) -> None:
    """The constraints issue 4's counters rely on are in the database itself."""
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO users (username, password_hash) VALUES ('c1', 'x'), ('c2', 'x')"))
        a, b = connection.scalars(text(
            "SELECT id FROM users WHERE username IN ('c1', 'c2') ORDER BY username")).all()
        connection.execute(text(
            "INSERT INTO videos (author_id, title, play_key, cover_key) VALUES (:a, 't', 'p', 'c')"
        ), {"a": a})
        video = connection.scalar(text("SELECT MAX(id) FROM videos"))
        connection.execute(text("INSERT INTO favorites (user_id, video_id) VALUES (:b, :v)"),
                           {"b": b, "v": video})
        connection.execute(text("INSERT INTO follows (follower_id, followee_id) VALUES (:b, :a)"),
                           {"a": a, "b": b})
    refused = [
        ("INSERT INTO favorites (user_id, video_id) VALUES (:b, :v)", "Duplicate entry"),
        ("INSERT INTO follows (follower_id, followee_id) VALUES (:b, :a)", "Duplicate entry"),
        ("INSERT INTO follows (follower_id, followee_id) VALUES (:a, :a)", "ck_follows_not_self"),
        ("INSERT INTO comments (video_id, user_id, content) VALUES (987654321, :a, 'x')",
         "foreign key constraint fails"),
        ("UPDATE videos SET favorite_count = -1 WHERE id = :v", "not_negative"),
        ("DELETE FROM users WHERE id = :a", "foreign key constraint fails"),
    ]
    for statement, reason in refused:
        with pytest.raises(DBAPIError, match=reason), engine.begin() as connection:
            connection.execute(text(statement), {"a": a, "b": b, "v": video})
