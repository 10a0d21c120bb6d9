"""Comments to protobuf."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from protos import comment_pb2, user_pb2


@dataclass(frozen=True)
class CommentPacker:
    """Packs comments with their authors; dates as the contract's `mm-dd` in one time zone."""

    zone: tzinfo

    def __call__(self, comment_id: int, content: str, created_ms: int,
                 author: user_pb2.User) -> comment_pb2.Comment:
        # whole seconds are enough for the date: a zone's day starts on a whole second
        local = datetime.fromtimestamp(created_ms // 1000, self.zone)
        return comment_pb2.Comment(
            id=comment_id,
            user=author,
            content=content,
            create_date=local.strftime("%m-%d"),
            created_ms=created_ms,
        )
