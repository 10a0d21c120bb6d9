"""Rows of the read views to protobuf, without a server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from protos import user_pb2, video_pb2
from services.comment.pack import CommentPacker
from services.data.views.media import MediaUrls
from services.data.views.times import epoch_ms
from services.data.views.users import USER_COLUMNS, user_pb
from services.data.views.videos import AUTHOR, VIDEO_COLUMNS, pack_videos

MEDIA = MediaUrls("https://media.example/bucket/")


def _row(following: bool = True, **overrides: object) -> tuple[Any, ...]:
    values: dict[str, object] = {
        "id": 7, "username": "ann", "avatar": "", "background_image": "", "signature": "hello",
        "follow_count": 1, "follower_count": 2, "total_favorited": 3, "work_count": 4,
        "favorite_count": 5,
    }
    values.update(overrides)
    return (*(values[column.key] for column in USER_COLUMNS), following)


def test_every_field_is_packed_with_default_media_urls() -> None:
    message = user_pb(_row(), MEDIA)
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
    row = _row(False, avatar="avatars/ann.png", background_image="https://m/ann-bg.png")
    message = user_pb(row, MEDIA)
    assert message.avatar == "https://media.example/bucket/avatars/ann.png"
    assert message.background_image == "https://m/ann-bg.png"
    assert message.is_follow is False


@pytest.mark.parametrize("base", ["https://m.example/b", "https://m.example/b/"])
def test_media_urls_join_with_one_slash(base: str) -> None:
    media = MediaUrls(base)
    expected = "https://m.example/b/videos/a.mp4"
    assert media.url("/videos/a.mp4") == media.url("videos/a.mp4") == expected
    assert media.avatar("") == "https://m.example/b/defaults/avatar.png"
    assert media.background("") == "https://m.example/b/defaults/background.png"
    assert media == MediaUrls(base)


def test_a_video_row_packs_every_field_with_its_author_from_the_same_row() -> None:
    created_ms = epoch_ms(datetime(2024, 5, 1, 12, 34, 56, 789999))
    video = (3, 7, "clip", "videos/a.mp4", "covers/a.jpg", 2, 1, created_ms, True)
    other = (4, 8, "other", "videos/b.mp4", "covers/b.jpg", 0, 0, created_ms - 1, False)
    assert len(video) == len(VIDEO_COLUMNS) + 1 == AUTHOR
    rows = [(*video, *_row()), (*other, *_row(False, id=8, username="bo")),
            (5, *video[1:], *_row())]
    first, second, third = pack_videos(rows, MEDIA)
    author = user_pb(_row(), MEDIA)
    assert first == video_pb2.Video(
        id=3, author=author, play_url="https://media.example/bucket/videos/a.mp4",
        cover_url="https://media.example/bucket/covers/a.jpg", favorite_count=2,
        comment_count=1, is_favorite=True, title="clip", created_ms=1714566896789,
    )
    assert {f.name for f, _ in first.ListFields()} == {
        f.name for f in video_pb2.Video.DESCRIPTOR.fields
    }
    assert (second.id, second.author.id, second.author.name, second.author.is_follow,
            second.is_favorite) == (4, 8, "bo", False, False)
    assert (third.id, third.author) == (5, author)


def _old_epoch_ms(at: datetime) -> int:
    """What the views computed before they read milliseconds from the database."""
    return int(at.replace(tzinfo=UTC).timestamp() * 1000)


def test_epoch_ms_rounds_down_exactly_as_the_float_arithmetic_did() -> None:
    start = datetime(2026, 12, 2, 6, 28, 31)
    # every microsecond around many millisecond boundaries, and boundaries across the years
    samples = [start + timedelta(microseconds=us) for us in range(-3000, 3000)]
    samples += [datetime(year, 1 + year % 12, 1 + year % 28, 23, 59, 59, micro)
                for year in range(2005, 2038) for micro in (0, 999, 1000, 999000, 999999)]
    for at in samples:
        assert epoch_ms(at) == _old_epoch_ms(at), at
    # before 2**40 ms the float fell a millisecond short; the integers never do
    early = datetime(2004, 11, 1, 0, 0, 0, 1000)
    assert (epoch_ms(early), _old_epoch_ms(early)) == (1099267200001, 1099267200000)


def test_a_comment_date_is_the_local_day_of_its_millisecond() -> None:
    pack = CommentPacker(ZoneInfo("Asia/Shanghai"))
    author = user_pb(_row(), MEDIA)
    # 15:59:59.999 UTC is still the 1st in Shanghai (UTC+8); a millisecond later, the 2nd
    before = epoch_ms(datetime(2024, 5, 1, 15, 59, 59, 999999))
    assert pack(1, "hi", before, author).create_date == "05-01"
    assert pack(1, "hi", before + 1, author).create_date == "05-02"
    comment = pack(9, "hi", before, author)
    assert (comment.id, comment.content, comment.created_ms) == (9, "hi", before)
    assert comment.user == author
