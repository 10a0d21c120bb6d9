"""Protobuf to the contract's JSON objects: every documented field, always present."""

from __future__ import annotations

from typing import Any

from protos import user_pb2


def user_json(user: user_pb2.User) -> dict[str, Any]:
    """A User object of the contract."""
    return {
        "id": user.id,
        "name": user.name,
        "follow_count": user.follow_count,
        "follower_count": user.follower_count,
        "is_follow": user.is_follow,
        "avatar": user.avatar,
        "background_image": user.background_image,
        "signature": user.signature,
        "total_favorited": user.total_favorited,
        "work_count": user.work_count,
        "favorite_count": user.favorite_count,
    }
