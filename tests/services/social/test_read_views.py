"""The read views return plain rows: fresh inside writes, times exact, flags per viewer."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from services.comment.pack import CommentPacker
from services.comment.service.list_comments import list_comments
from services.comment.service.post import post_comment
from services.data import counters
from services.data.db import transaction
from services.data.locks import lock_users
from services.data.models import Follow
from services.data.views.times import epoch_ms
from services.data.views.users import users_by_id
from services.favorite.service.like import set_favorite
from services.favorite.service.list_favorites import list_favorites
from services.feed.service.get_feed import get_feed
from services.mesh.errors import AppError, Code
from services.message.service.chat import chat
from services.publish.service.list_videos import list_videos
from services.relation.service.follow import set_follow
from services.relation.service.lists import list_followers, list_following
from tests.services.social.conftest import MEDIA

pytestmark = pytest.mark.stack

UNKNOWN = 2**62
SHANGHAI = ZoneInfo("Asia/Shanghai")
# microseconds on both sides of millisecond, second and day boundaries, from 2005 to 2037
TIMES = [datetime(2024, 5, 1, 15, 59, 59, us) for us in (0, 1, 999, 1000, 999000, 999999)] + [
    datetime(2005, 3, 9, 23, 59, 59, 999000), datetime(2037, 12, 31, 23, 59, 59, 999999)]


def _old_ms(at: datetime) -> int:
    """created_ms as the views computed it from ORM objects before they read rows."""
    return int(at.replace(tzinfo=UTC).timestamp() * 1000)


def _set_created(sessions: sessionmaker[Session], table: str, ids: list[int],
                 times: list[datetime]) -> None:
    with transaction(sessions) as session:
        for row_id, at in zip(ids, times, strict=True):
            session.execute(text(f"UPDATE {table} SET created_at = :at WHERE id = :id"),
                            {"at": at, "id": row_id})


def test_a_read_inside_a_write_transaction_sees_what_the_transaction_changed(
    sessions: sessionmaker[Session], make_users: Callable[[int], list[int]],
) -> None:
    ann, bob = make_users(2)
    with transaction(sessions) as session:
        # both users are now ORM objects of this session, with the counters as they were
        lock_users(session, [bob], caller=ann)
        counters.followed(session, ann, bob, 1)
        session.add(Follow(follower_id=ann, followee_id=bob))  # not flushed yet
        users = users_by_id(session, [ann, bob], ann, MEDIA)
    assert (users[ann].follow_count, users[bob].follower_count) == (1, 1)
    assert users[bob].is_follow is True and users[ann].is_follow is False


def test_publish_and_comment_times_are_what_the_float_arithmetic_gave(
    sessions: sessionmaker[Session], make_users: Callable[[int], list[int]],
    make_videos: Callable[[int, int], list[int]],
) -> None:
    (ann,) = make_users(1)
    videos = make_videos(ann, len(TIMES))
    _set_created(sessions, "videos", videos, TIMES)
    at = dict(zip(videos, TIMES, strict=True))
    newest_first = sorted(videos, key=lambda v: (at[v], v), reverse=True)
    listed = list_videos(sessions, ann, None, MEDIA)
    assert [v.id for v in listed] == newest_first
    assert [v.created_ms for v in listed] == [_old_ms(at[v]) for v in newest_first]
    # a feed page before 16:00 that day: the 2024 and 2005 videos (the others' are newer)
    page, next_ms = get_feed(sessions, _old_ms(datetime(2024, 5, 1, 16)), ann, MEDIA)
    assert [v.id for v in page] == newest_first[1:]
    assert next_ms == page[-1].created_ms == _old_ms(TIMES[-2])

    pack = CommentPacker(SHANGHAI)
    posted = [post_comment(sessions, ann, videos[0], f"c{i}", MEDIA, pack)
              for i in range(len(TIMES))]
    # the reply to a post (from the ORM object) and the list (from the server) agree
    assert {c.id: (c.created_ms, c.create_date) for c in posted} == {
        c.id: (c.created_ms, c.create_date)
        for c in list_comments(sessions, videos[0], None, MEDIA, pack)}
    _set_created(sessions, "comments", [c.id for c in posted], TIMES)
    when = {c.id: t for c, t in zip(posted, TIMES, strict=True)}
    comments = list_comments(sessions, videos[0], None, MEDIA, pack)
    for comment in comments:
        created = when[comment.id]
        assert comment.created_ms == _old_ms(created) == epoch_ms(created)
        assert comment.create_date == (created.replace(tzinfo=UTC).astimezone(SHANGHAI)
                                       .strftime("%m-%d"))
    # 15:59:59.999999 UTC is still May 1st in Shanghai (UTC+8)
    assert {c.create_date for c in comments} == {"05-01", "03-10", "01-01"}


def test_a_guest_sees_no_flags_a_viewer_sees_their_own(
    sessions: sessionmaker[Session], make_users: Callable[[int], list[int]],
    make_videos: Callable[[int, int], list[int]],
) -> None:
    viewer, author, fan = make_users(3)
    liked, other = make_videos(author, 2)
    set_favorite(sessions, viewer, liked, True)
    set_follow(sessions, viewer, author, True)
    set_follow(sessions, fan, author, True)
    for who, flags in ((viewer, {liked: True, other: False}), (None, {liked: False, other: False})):
        videos = list_videos(sessions, author, who, MEDIA)
        assert {v.id: v.is_favorite for v in videos} == flags
        assert {v.author.is_follow for v in videos} == {who is not None}
        assert [v.is_favorite for v in list_favorites(sessions, viewer, who, MEDIA)] == [
            who is not None]
        followers = list_followers(sessions, author, who, MEDIA)
        assert {u.id for u in followers} == {viewer, fan}
        assert not any(u.is_follow for u in followers)  # nobody follows the viewer or the fan
        assert [u.is_follow for u in list_following(sessions, viewer, who, MEDIA)] == [
            who is not None]
    # counters come with every user, whoever asks
    assert {v.author.follower_count for v in list_videos(sessions, author, None, MEDIA)} == {2}


def test_empty_lists_of_unknown_rows_are_not_found_of_known_ones_empty(
    sessions: sessionmaker[Session], make_users: Callable[[int], list[int]],
    make_videos: Callable[[int, int], list[int]], statements: list[str],
) -> None:
    ann, loner = make_users(2)
    (video,) = make_videos(ann, 1)
    reads: dict[str, Callable[[int], object]] = {
        "publish list": lambda user: list_videos(sessions, user, ann, MEDIA),
        "favorite list": lambda user: list_favorites(sessions, user, ann, MEDIA),
        "follow list": lambda user: list_following(sessions, user, ann, MEDIA),
        "follower list": lambda user: list_followers(sessions, user, ann, MEDIA),
        "chat": lambda user: chat(sessions, ann, user, 0),
        "chat poll": lambda user: chat(sessions, ann, user, 1),
    }
    for name, read in reads.items():
        statements.clear()
        assert read(loner) == [], name
        # the list, then the user's existence: there is no author or user to read
        assert len(statements) == 2, (name, statements)
        with pytest.raises(AppError) as info:
            read(UNKNOWN)
        assert (info.value.code, info.value.message) == (
            Code.NOT_FOUND, f"user {UNKNOWN} does not exist"), name
    assert list_comments(sessions, video, ann, MEDIA, CommentPacker(UTC)) == []
    with pytest.raises(AppError) as info:
        list_comments(sessions, UNKNOWN, ann, MEDIA, CommentPacker(UTC))
    assert (info.value.code, info.value.message) == (
        Code.NOT_FOUND, f"video {UNKNOWN} does not exist")
