"""Counters equal what the rows say: after idempotent repeats, under concurrency, on rollback."""

from __future__ import annotations

import random
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC
from functools import partial

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from services.comment.pack import CommentPacker
from services.comment.service.post import delete_comment, post_comment
from services.data import counters
from services.data.db import transaction
from services.data.models import Comment, Favorite, Follow, User, Video
from services.favorite.service.like import set_favorite
from services.mesh.errors import AppError, Code
from services.relation.service.follow import set_follow
from tests.services.social.conftest import MEDIA, count_rows

pytestmark = pytest.mark.stack

PACK = CommentPacker(UTC)


def assert_counters_match_rows(sessions: sessionmaker[Session], users: list[int],
                               videos: list[int]) -> None:
    """Every denormalised counter of these users and videos equals a COUNT of its rows."""
    with transaction(sessions) as session:
        for video in session.scalars(select(Video).where(Video.id.in_(videos))):
            assert video.favorite_count == count_rows(sessions, Favorite, video_id=video.id)
            assert video.comment_count == count_rows(sessions, Comment, video_id=video.id)
        for user in session.scalars(select(User).where(User.id.in_(users))):
            assert user.follow_count == count_rows(sessions, Follow, follower_id=user.id)
            assert user.follower_count == count_rows(sessions, Follow, followee_id=user.id)
            assert user.favorite_count == count_rows(sessions, Favorite, user_id=user.id)
            assert user.work_count == count_rows(sessions, Video, author_id=user.id)
            received = session.scalar(
                select(func.count()).select_from(Favorite).join(Video)
                .where(Video.author_id == user.id)
            )
            assert user.total_favorited == received


def test_repeats_change_nothing_and_self_follow_is_refused(
    sessions: sessionmaker[Session], make_users: Callable[[int], list[int]],
    make_videos: Callable[[int, int], list[int]],
) -> None:
    ann, bob = make_users(2)
    (video,) = make_videos(bob, 1)
    assert set_favorite(sessions, ann, video, True) == (True, 1)
    assert set_favorite(sessions, ann, video, True) == (False, 1)
    assert set_favorite(sessions, ann, video, False) == (True, 0)
    assert set_favorite(sessions, ann, video, False) == (False, 0)
    assert set_follow(sessions, ann, bob, True) is True
    assert set_follow(sessions, ann, bob, True) is False
    assert set_follow(sessions, bob, ann, False) is False
    with pytest.raises(AppError) as info:
        set_follow(sessions, ann, ann, True)
    assert info.value.code == Code.INVALID_ARGUMENT and "yourself" in info.value.message
    assert_counters_match_rows(sessions, [ann, bob], [video])


def test_unknown_targets_are_not_found(
    sessions: sessionmaker[Session], make_users: Callable[[int], list[int]],
) -> None:
    (ann,) = make_users(1)
    for action in (lambda: set_favorite(sessions, ann, 2**62, True),
                   lambda: set_follow(sessions, ann, 2**62, True),
                   lambda: post_comment(sessions, ann, 2**62, "hi", MEDIA, PACK)):
        with pytest.raises(AppError) as info:
            action()
        assert info.value.code == Code.NOT_FOUND


def test_concurrent_likes_unlikes_follows_and_comments_keep_every_counter_exact(
    sessions: sessionmaker[Session], make_users: Callable[[int], list[int]],
    make_videos: Callable[[int, int], list[int]],
) -> None:
    users = make_users(12)
    # two authors who also like each other's videos: lock cycles would show up as deadlocks
    videos = make_videos(users[0], 2) + make_videos(users[1], 2)
    rng = random.Random(7)
    operations: list[Callable[[], object]] = []
    for _ in range(600):
        actor, other = rng.sample(users, 2)
        video = rng.choice(videos)
        kind, on = rng.random(), rng.random() < 0.6
        if kind < 0.45:
            operations.append(partial(set_favorite, sessions, actor, video, on))
        elif kind < 0.9:
            operations.append(partial(set_follow, sessions, actor, other, on))
        else:
            operations.append(partial(post_comment, sessions, actor, video, "hey", MEDIA, PACK))
    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(lambda op: op(), operations))
    assert len(results) == 600
    assert_counters_match_rows(sessions, users, videos)


def test_a_failure_after_the_like_row_rolls_everything_back(
    sessions: sessionmaker[Session], make_users: Callable[[int], list[int]],
    make_videos: Callable[[int, int], list[int]], monkeypatch: pytest.MonkeyPatch,
) -> None:
    ann, bob = make_users(2)
    (video,) = make_videos(bob, 1)
    calls = []
    increment = counters.increment

    def failing_increment(session: Session, model: type, deltas: dict) -> None:
        calls.append(model)
        if model is User:  # the video's counter was already bumped in this transaction
            raise RuntimeError("database went away")
        increment(session, model, deltas)

    monkeypatch.setattr(counters, "increment", failing_increment)
    with pytest.raises(RuntimeError):
        set_favorite(sessions, ann, video, True)
    assert calls[:2] == [Video, User]
    assert count_rows(sessions, Favorite, user_id=ann) == 0
    assert_counters_match_rows(sessions, [ann, bob], [video])


def test_only_the_author_deletes_a_comment_and_only_on_its_video(
    sessions: sessionmaker[Session], make_users: Callable[[int], list[int]],
    make_videos: Callable[[int, int], list[int]],
) -> None:
    ann, bob = make_users(2)
    first, second = make_videos(bob, 2)
    comment = post_comment(sessions, ann, first, "mine", MEDIA, PACK)
    assert comment.user.id == ann and comment.content == "mine"
    with pytest.raises(AppError) as info:
        delete_comment(sessions, bob, first, comment.id, MEDIA, PACK)
    assert info.value.code == Code.PERMISSION_DENIED
    with pytest.raises(AppError) as info:
        delete_comment(sessions, ann, second, comment.id, MEDIA, PACK)
    assert info.value.code == Code.NOT_FOUND
    assert delete_comment(sessions, ann, first, comment.id, MEDIA, PACK).id == comment.id
    with pytest.raises(AppError) as info:
        delete_comment(sessions, ann, first, comment.id, MEDIA, PACK)
    assert info.value.code == Code.NOT_FOUND
    assert_counters_match_rows(sessions, [ann, bob], [first, second])
