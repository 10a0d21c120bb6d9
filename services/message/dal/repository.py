"""The message service's own queries over `messages`."""

from __future__ import annotations

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from services.data.models import Message


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


def conversation(session: Session, me: int, other: int, limit: int) -> list[Message]:
    """The newest `limit` messages between two users, both directions, in ascending order."""
    rows = session.scalars(
        select(Message)
        .where(or_(and_(Message.from_user_id == me, Message.to_user_id == other),
                   and_(Message.from_user_id == other, Message.to_user_id == me)))
        .order_by(Message.created_ms.desc(), Message.id.desc())
        .limit(limit)
    ).all()
    return list(reversed(rows))


def received_after(session: Session, me: int, other: int, after_ms: int,
                   limit: int) -> list[Message]:
    """Messages from `other` to `me` newer than `after_ms`, ascending."""
    return list(session.scalars(
        select(Message)
        .where(Message.from_user_id == other, Message.to_user_id == me,
               Message.created_ms > after_ms)
        .order_by(Message.created_ms, Message.id)
        .limit(limit)
    ))

