"""The message service's own queries over `messages`."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from sqlalchemy import BigInteger, Integer, Row, Select, and_, bindparam, func, or_, select
from sqlalchemy.orm import Session

from services.data.db import Reader, read
from services.data.models import Message

ME, OTHER = bindparam("me", type_=BigInteger), bindparam("other", type_=BigInteger)
LIMIT = bindparam("limit", type_=Integer)
# what a Message message shows (`services.message.pack.message_pb` reads them by name)
COLUMNS = (Message.id, Message.to_user_id, Message.from_user_id, Message.content,
           Message.created_ms)


def add(session: Session, from_user_id: int, to_user_id: int, content: str,
        created_ms: int) -> Message:
    """Insert a message."""
    message = Message(from_user_id=from_user_id, to_user_id=to_user_id, content=content,
                      created_ms=created_ms)
    session.add(message)
    session.flush()
    return message


def last_sent_ms(session: Session, from_user_id: int, to_user_id: int) -> int | None:
    """The time of the newest message from one user to another."""
    return session.scalar(
        select(func.max(Message.created_ms)).where(
            Message.from_user_id == from_user_id, Message.to_user_id == to_user_id
        )
    )


# statements built once (see services.data.views.users): chat is polled every few seconds
@cache
def _conversation() -> Select[Any]:
    return (
        select(*COLUMNS)
        .where(or_(and_(Message.from_user_id == ME, Message.to_user_id == OTHER),
                   and_(Message.from_user_id == OTHER, Message.to_user_id == ME)))
        .order_by(Message.created_ms.desc(), Message.id.desc())
        .limit(LIMIT)
    )


@cache
def _received_after() -> Select[Any]:
    return (
        select(*COLUMNS)
        .where(Message.from_user_id == OTHER, Message.to_user_id == ME,
               Message.created_ms > bindparam("after_ms", type_=BigInteger))
        .order_by(Message.created_ms, Message.id)
        .limit(LIMIT)
    )


def conversation(db: Reader, me: int, other: int, limit: int) -> Sequence[Row[Any]]:
    """The newest `limit` messages between two users, both directions, in ascending order."""
    rows = read(db, _conversation(), {"me": me, "other": other, "limit": limit})
    return rows[::-1]


def received_after(db: Reader, me: int, other: int, after_ms: int,
                   limit: int) -> Sequence[Row[Any]]:
    """Messages from `other` to `me` newer than `after_ms`, ascending."""
    return read(db, _received_after(),
                {"me": me, "other": other, "after_ms": after_ms, "limit": limit})
