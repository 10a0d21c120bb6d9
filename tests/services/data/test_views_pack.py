"""ORM rows to protobuf, without a server."""

from __future__ import annotations

from datetime import datetime

from protos import user_pb2
from services.data.models import User
from services.data.views.media import MediaUrls
from services.data.views.users import user_pb

MEDIA = MediaUrls("https://media.example/bucket/")


def _row(**overrides: object) -> User:
    values: dict[str, object] = {
        "id": 7, "username": "ann", "password_hash": "$2b$12$x", "avatar": "",
        "background_image": "", "signature": "hello", "follow_count": 1, "follower_count": 2,
        "total_favorited": 3, "work_count": 4, "favorite_count": 5,
        "created_at": datetime(2024, 5, 1),
    }
    values.update(overrides)
    return User(**values)


def test_every_field_is_packed_with_default_media_urls() -> None:
    message = user_pb(_row(), True, MEDIA)
    assert message == user_pb2.User(
        id=7, name="ann", follow_count=1, follower_count=2, is_follow=True,
        avatar="https://media.example/bucket/defaults/avatar.png",
        background_image="https://media.example/bucket/defaults/background.png",
        signature="hello", total_favorited=3, work_count=4, favorite_count=5,
    )
    # a field added to the proto but not packed would stay at its zero value
    assert {f.name for f, _ in message.ListFields()} == {
        f.name for f in user_pb2.User.DESCRIPTOR.fields
    }


def test_own_media_win_as_keys_or_absolute_urls() -> None:
    row = _row(avatar="avatars/ann.png", background_image="https://m/ann-bg.png")
    message = user_pb(row, False, MEDIA)
    assert message.avatar == "https://media.example/bucket/avatars/ann.png"
    assert message.background_image == "https://m/ann-bg.png"
    assert message.is_follow is False
