"""Comment rows to protobuf."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, tzinfo

from protos import comment_pb2, user_pb2
from services.data.models import Comment


@dataclass(frozen=True)
class CommentPacker:
    """Packs comments with their authors; dates as the contract's `mm-dd` in one time zone."""

    zone: tzinfo

    def __call__(self, row: Comment, author: user_pb2.User) -> comment_pb2.Comment:
        created = row.created_at.replace(tzinfo=UTC)
        return comment_pb2.Comment(
            id=row.id,
            user=author,
            content=row.content,
            create_date=created.astimezone(self.zone).strftime("%m-%d"),
            created_ms=int(created.timestamp() * 1000),
        )
