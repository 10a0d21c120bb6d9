"""The user service's ORM rows to protobuf, in one place."""

from __future__ import annotations

from dataclasses import dataclass

from protos import user_pb2
from services.user.dal.models import User


@dataclass(frozen=True)
class MediaDefaults:
    """Absolute URLs shown for users who have no avatar or background image of their own."""

    avatar_url: str
    background_url: str


def user_to_pb(row: User, defaults: MediaDefaults, is_follow: bool = False) -> user_pb2.User:
    """A User message with every field set; `is_follow` is relative to the viewer."""
    return user_pb2.User(
        id=row.id,
        name=row.username,
        follow_count=row.follow_count,
        follower_count=row.follower_count,
        is_follow=is_follow,
        avatar=row.avatar or defaults.avatar_url,
        background_image=row.background_image or defaults.background_url,
        signature=row.signature,
        total_favorited=row.total_favorited,
        work_count=row.work_count,
        favorite_count=row.favorite_count,
    )
