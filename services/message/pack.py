"""Message rows to protobuf."""

from __future__ import annotations

from protos import message_pb2
from services.data.models import Message


def message_pb(row: Message) -> message_pb2.Message:
    """A Message with every field set; `create_time` in milliseconds."""
    return message_pb2.Message(id=row.id, to_user_id=row.to_user_id,
                               from_user_id=row.from_user_id, content=row.content,
                               create_time=row.created_ms)
