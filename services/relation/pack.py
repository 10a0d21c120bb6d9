"""Friend rows to protobuf (the users themselves are packed by `services.data.views.users`)."""

from __future__ import annotations

from sqlalchemy import Row

from protos import relation_pb2, user_pb2


def friend_pb(friend: user_pb2.User, latest: Row[tuple[int, str, int]] | None,
              me: int) -> relation_pb2.FriendUser:
    """A FriendUser: the friend with the latest message between us, and who sent it."""
    return relation_pb2.FriendUser(
        user=friend,
        message=latest.content if latest else "",
        # 1: I sent the latest message, 0: I received it (or there is none)
        msg_type=1 if latest and latest.from_user_id == me else 0,
    )
