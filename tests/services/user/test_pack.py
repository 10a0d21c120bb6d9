"""ORM rows to protobuf, without a server."""

from __future__ import annotations

from datetime import datetime

from protos import user_pb2
from services.user.dal.models import User
from services.user.pack import MediaDefaults, user_to_pb

DEFAULTS = MediaDefaults("https://media.example/defaults/a.png", "https://media.example/b.png")


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
    message = user_to_pb(_row(), DEFAULTS, is_follow=True)
    assert message == user_pb2.User(
        id=7, name="ann", follow_count=1, follower_count=2, is_follow=True,
        avatar=DEFAULTS.avatar_url, background_image=DEFAULTS.background_url,
        signature="hello", total_favorited=3, work_count=4, favorite_count=5,
    )
    # a field added to the proto but not packed would stay at its zero value
    assert {f.name for f, _ in message.ListFields()} == {
        f.name for f in user_pb2.User.DESCRIPTOR.fields
    }


def test_own_media_urls_win_and_is_follow_defaults_to_false() -> None:
    row = _row(avatar="https://m/ann.png", background_image="https://m/ann-bg.png")
    message = user_to_pb(row, DEFAULTS)
    assert message.avatar == "https://m/ann.png"
    assert message.background_image == "https://m/ann-bg.png"
    assert message.is_follow is False
