"""SQLAlchemy 2 plumbing shared by the services: the declarative base, engines, transactions."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import Any, NoReturn, TypeVar

from sqlalchemy import (
    BigInteger,
    Connection,
    Engine,
    Executable,
    MetaData,
    Row,
    String,
    create_engine,
    event,
    text,
)
from sqlalchemy.dialects.mysql import DATETIME
from sqlalchemy.exc import DBAPIError, DisconnectionError, OperationalError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from services.mesh.errors import AppError, Code

log = logging.getLogger(__name__)
T = TypeVar("T")

# The one choice of MySQL driver, for every URL the stack hands out: mysqlclient (C). PyMySQL,
# pure Python, spent about half of a read's CPU parsing rows and column descriptions.
DRIVER = "mysql+mysqldb"
# InnoDB gave up on a lock: a deadlock victim, or a lock wait timeout. Retrying is safe because
# the whole transaction was rolled back.
_RETRYABLE = (1213, 1205)

# Deterministic constraint names, so Alembic migrations can refer to them.
NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


CHARSET = "utf8mb4"
# case- and accent-insensitive, yet every emoji and rare CJK character distinct (see users)
COLLATION = "utf8mb4_unicode_520_ci"
TABLE_OPTIONS = {"mysql_charset": CHARSET, "mysql_collate": COLLATION}


class Base(DeclarativeBase):
    """The base of every ORM model of dytt (one schema, one database)."""

    metadata = MetaData(naming_convention=NAMING)


def text_column(length: int) -> Mapped[str]:
    """A NOT NULL string column that defaults to ''."""
    # the Python default fills objects created in code; the server default serves raw inserts.
    # text("''") rather than "": Alembic reads a plain "" as no default and reports drift
    return mapped_column(String(length), default="", server_default=text("''"))


def counter_column() -> Mapped[int]:
    """A denormalised counter: NOT NULL, 0 by default (pair it with a >= 0 check)."""
    return mapped_column(BigInteger, default=0, server_default=text("0"))


def created_column() -> Mapped[datetime]:
    """When the row was made, to the microsecond, set by the server."""
    return mapped_column(DATETIME(fsp=6), server_default=text("CURRENT_TIMESTAMP(6)"))


# set while `read_transaction` takes a connection from the pool: see `_ping_unless_reading`
_READING: ContextVar[bool] = ContextVar("dytt_db_reading", default=False)


def make_engine(url: str, pool_size: int = 10) -> Engine:
    """An engine for `url` (`DRIVER`://...) whose pool pings a connection before a write.

    `pool_size` should be the number of threads that query at once: a connection beyond the
    pool is opened and closed for one transaction, and opening one costs more CPU than the
    queries of a whole feed page.
    """
    engine = create_engine(
        url, pool_size=pool_size, max_overflow=4, pool_recycle=3600,
        # timestamps are stored and compared in UTC, whatever the server's own zone is
        connect_args={"init_command": "SET time_zone = '+00:00'"},
    )
    event.listen(engine, "checkout", _ping_unless_reading)
    return engine


def _ping_unless_reading(dbapi_connection: Any, record: Any, proxy: Any) -> None:
    """The pool's health check, for writes only.

    A connection the server dropped (it restarted) must not fail a write: the writer could not
    be told whether to try again, so it is pinged first and replaced if dead, as the pool's own
    `pre_ping` does. A read skips the ping, one round trip to the server in three of a feed
    page: on a dead connection it fails UNAVAILABLE, the pool drops every connection as old as
    that one, and the gateway sends the read again (reads are retried; they change nothing).
    """
    if _READING.get():
        return
    try:
        dbapi_connection.ping()
    except Exception as exc:  # the driver's OperationalError: the pool connects anew
        raise DisconnectionError(str(exc)) from exc


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded attributes after commit (objects are packed after the commit)."""
    return sessionmaker(engine, expire_on_commit=False)


# Where reads run: the Core connection of a use case that only reads (`read_transaction`), or
# the session of one that also writes (`transaction`, `atomic`).
Reader = Session | Connection


def read(db: Reader, statement: Executable,
         params: Mapping[str, Any] | None = None) -> Sequence[Row[Any]]:
    """The rows of `statement` (columns, not entities), in the transaction of `db`.

    It runs on a Core connection, a session's own one inside a session: none of the ORM's
    loading (entities, identity map, instance state), which cost more CPU than the query itself
    on every read path. Rows hold what the database has now, including what this transaction
    changed earlier.
    """
    if isinstance(db, Session):
        # what Session.execute's autoflush would send first: objects added but not yet flushed
        db.flush()
        db = db.connection()
    return db.execute(statement, params).all()


# The connection to the server failed or broke (cannot connect, gone away, lost during a query,
# killed, shutdown in progress): the server rolls back what this connection had not committed.
_CONNECTION_LOST = frozenset({1053, 1927, 2002, 2003, 2006, 2013, 2055, 4031})
UNAVAILABLE_MESSAGE = "the database is temporarily unavailable, try again"


def _errno(exc: OperationalError) -> int | None:
    return exc.orig.args[0] if exc.orig is not None and exc.orig.args else None


def connection_lost(exc: BaseException) -> bool:
    """Whether `exc` says the database connection failed, rather than the statement."""
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(exc, OperationalError) and _errno(exc) in _CONNECTION_LOST


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One transaction: committed when the block ends, rolled back on any exception.

    A lost database connection becomes UNAVAILABLE (nothing was committed: try again), or
    OUTCOME_UNKNOWN when it broke during the COMMIT itself (the server may have committed).
    """
    committing = False
    try:
        with factory.begin() as session:
            yield session
            committing = True
    except DBAPIError as exc:
        if not connection_lost(exc):
            raise
        log.warning("database connection lost%s: %s", " during COMMIT" if committing else "",
                    exc.orig)
        if committing:
            raise AppError(Code.OUTCOME_UNKNOWN) from exc
        raise AppError(Code.UNAVAILABLE, UNAVAILABLE_MESSAGE) from exc


@contextmanager
def read_transaction(factory: sessionmaker[Session]) -> Iterator[Connection]:
    """One transaction of a use case that only reads, on a Core connection of the factory's
    engine; run its statements with `read`.

    A Session's begin, commit and close cost about as much CPU as a small query, and a read
    needs nothing a Session keeps. The transaction ends in the ROLLBACK of closing the
    connection, which also stands for the pool's reset: a COMMIT is followed by the pool's own
    ROLLBACK, one more round trip to the server for every read. A lost connection is
    UNAVAILABLE, also while ending it: nothing was written, so trying again is always safe.
    """
    reading = _READING.set(True)
    try:
        connection = factory.kw["bind"].connect()
    except DBAPIError as exc:
        _lost_during_read(exc)
    finally:
        _READING.reset(reading)
    try:
        with connection:
            connection.begin()
            yield connection
    except DBAPIError as exc:
        _lost_during_read(exc)


def _lost_during_read(exc: DBAPIError) -> NoReturn:
    if not connection_lost(exc):
        raise exc
    log.warning("database connection lost during a read: %s", exc.orig)
    raise AppError(Code.UNAVAILABLE, UNAVAILABLE_MESSAGE) from exc


def atomic(factory: sessionmaker[Session], work: Callable[[Session], T], attempts: int = 3) -> T:
    """Run `work` in one transaction; rerun it when InnoDB picked it as a deadlock victim."""
    for attempt in range(1, attempts + 1):
        try:
            with transaction(factory) as session:
                return work(session)
        except OperationalError as exc:
            errno = _errno(exc)
            if errno not in _RETRYABLE or attempt == attempts:
                raise
            log.warning("transaction retried after lock error %s (attempt %d)", errno, attempt)
    raise AssertionError("unreachable")

