"""Message rows to protobuf."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row

from protos import message_pb2
from services.data.models import Message


def message_pb(row: Message | Row[Any]) -> message_pb2.Message:
    """A Message with every field set; `create_time` in milliseconds.

    `row` is an ORM object just written or a row of `dal.repository.COLUMNS`: both by name.
    """
    return message_pb2.Message(id=row.id, to_user_id=row.to_user_id,
                               from_user_id=row.from_user_id, content=row.content,
                               create_time=row.created_ms)
