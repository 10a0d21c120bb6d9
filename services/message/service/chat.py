"""Use cases: send a message; read a conversation the way the client polls it."""

from __future__ import annotations

import time

from sqlalchemy.orm import Session, sessionmaker

from protos import message_pb2
from services.data.checks import existing_user
from services.data.db import atomic, read_transaction
from services.data.locks import lock_users
from services.data.validate import invalid, positive_id, text
from services.message.dal import repository
from services.message.pack import message_pb

CONTENT_MIN, CONTENT_MAX = 1, 1000
# the whole conversation is at most this many of its newest messages
HISTORY_LIMIT = 1000


def _other(me: int, other: int) -> None:
    positive_id(other, "to_user_id")
    if other == me:
        raise invalid("to_user_id must be another user, not yourself")


def send_message(sessions: sessionmaker[Session], sender: int, receiver: int,
                 content: str) -> message_pb2.Message:
    """Store `content` from `sender` to `receiver`, timed in milliseconds.

    A sender's messages get strictly increasing times, committed in that order (the sender's row
    stays locked until the commit): a client polling with the newest time it holds never misses
    one sent in the same millisecond or committed late.
    """
    _other(sender, receiver)
    text(content, "content", CONTENT_MIN, CONTENT_MAX, multiline=True)

    def work(session: Session) -> message_pb2.Message:
        lock_users(session, [sender], caller=sender)
        existing_user(session, receiver)
        now_ms = int(time.time() * 1000)
        last = repository.last_sent_ms(session, sender, receiver)
        created_ms = max(now_ms, last + 1) if last is not None else now_ms
        return message_pb(repository.add(session, sender, receiver, content, created_ms))

    return atomic(sessions, work)


def chat(sessions: sessionmaker[Session], me: int, other: int,
         pre_msg_time: int) -> list[message_pb2.Message]:
    """The conversation with `other`, ascending by time, as the client polls it.

    `pre_msg_time` 0: the whole conversation, both directions. Otherwise only messages `other`
    sent to me after it: the client shows its own messages itself, and would show them twice.
    """
    _other(me, other)
    if pre_msg_time < 0:
        raise invalid(f"pre_msg_time must not be negative, got {pre_msg_time}")
    with read_transaction(sessions) as db:
        if pre_msg_time == 0:
            rows = repository.conversation(db, me, other, HISTORY_LIMIT)
        else:
            rows = repository.received_after(db, me, other, pre_msg_time, HISTORY_LIMIT)
        if not rows:
            # a message names both users through foreign keys: only no messages needs the check
            existing_user(db, other)
        return [message_pb(row) for row in rows]
