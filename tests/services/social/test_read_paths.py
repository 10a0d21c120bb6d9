"""Every list costs a constant number of SQL statements, whatever its length (no N+1)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC

import pytest
from sqlalchemy.orm import Session, sessionmaker

from services.comment.pack import CommentPacker
from services.comment.service.list_comments import list_comments
from services.comment.service.post import post_comment
from services.favorite.service.like import set_favorite
from services.favorite.service.list_favorites import list_favorites
from services.feed.service.get_feed import get_feed
from services.message.service.chat import send_message
from services.publish.service.list_videos import list_videos
from services.relation.service.follow import set_follow
from services.relation.service.lists import list_followers, list_following, list_friends
from services.user.service.get_user import get_user
from tests.services.social.conftest import MEDIA

pytestmark = pytest.mark.stack

PACK = CommentPacker(UTC)


@pytest.fixture(scope="module")
def world(sessions: sessionmaker[Session], make_users: Callable[[int], list[int]],
          make_videos: Callable[[int, int], list[int]]) -> dict[str, list[int]]:
    """A viewer; a small and a big account (1 vs 30 of everything), mutual follows, messages."""
    viewer, small, big, *fans = make_users(33)
    small_videos = make_videos(small, 1)
    big_videos = make_videos(big, 30)
    for video in (*small_videos, *big_videos):
        set_favorite(sessions, viewer, video, True)
    set_follow(sessions, viewer, fans[1], True)
    for fan in fans[:30]:
        set_follow(sessions, big, fan, True)
        set_follow(sessions, fan, big, True)
        set_favorite(sessions, fan, big_videos[0], True)
        send_message(sessions, fan, big, "hello")
        post_comment(sessions, fan, big_videos[0], "nice", MEDIA, PACK)
    set_follow(sessions, small, fans[0], True)
    set_follow(sessions, fans[0], small, True)
    post_comment(sessions, fans[0], small_videos[0], "first", MEDIA, PACK)
    return {"viewer": [viewer], "small": [small], "big": [big], "fans": fans,
            "small_videos": small_videos, "big_videos": big_videos}


def _cost(statements: list[str], read: Callable[[], object]) -> tuple[int, object]:
    statements.clear()
    result = read()
    return len(statements), result


def test_each_list_costs_the_same_for_one_item_and_for_thirty(
    sessions: sessionmaker[Session], world: dict[str, list[int]], statements: list[str]
) -> None:
    viewer, small, big = world["viewer"][0], world["small"][0], world["big"][0]
    small_video, big_video = world["small_videos"][0], world["big_videos"][0]
    reads: dict[str, Callable[[int, int | None], Callable[[], list]]] = {
        "publish list": lambda user, who: lambda: list_videos(sessions, user, who, MEDIA),
        "follow list": lambda user, who: lambda: list_following(sessions, user, who, MEDIA),
        "follower list": lambda user, who: lambda: list_followers(sessions, user, who, MEDIA),
        "friend list": lambda user, who: lambda: list_friends(sessions, user, user, MEDIA),
        "comment list": lambda user, who: lambda: list_comments(
            sessions, small_video if user == small else big_video, who, MEDIA, PACK),
    }
    costs: dict[str, tuple[int, int]] = {}
    for name, read in reads.items():
        for who in (viewer, None):
            few, few_items = _cost(statements, read(small, who))
            many, many_items = _cost(statements, read(big, who))
            assert len(few_items) == 1 and len(many_items) == 30, name  # type: ignore[arg-type]
            assert few == many, f"{name}: {few} statements for 1 item, {many} for 30"
            costs[name] = (few, many)
    # the liked-videos list: the viewer liked 31, a fan liked 1
    few, _ = _cost(statements, lambda: list_favorites(sessions, world["fans"][5], viewer, MEDIA))
    many, liked = _cost(statements, lambda: list_favorites(sessions, viewer, viewer, MEDIA))
    assert len(liked) == 31 and few == many  # type: ignore[arg-type]
    assert costs["friend list"][0] <= 3
    # videos come with their authors in the same statement
    assert costs["publish list"][0] == 1 and few == 1


def test_a_feed_page_of_thirty_costs_one_statement(
    sessions: sessionmaker[Session], world: dict[str, list[int]], statements: list[str]
) -> None:
    viewer = world["viewer"][0]
    for who in (viewer, None):
        cost, (videos, _next) = _cost(statements, lambda w=who: get_feed(sessions, 0, w, MEDIA))
        assert len(videos) == 30 and cost == 1, (who, cost)
        one, (page, _next) = _cost(
            statements, lambda w=who: get_feed(sessions, 0, w, MEDIA, page_size=1))
        assert len(page) == 1 and one == 1


def test_a_user_costs_one_statement_with_is_follow(
    sessions: sessionmaker[Session], world: dict[str, list[int]], statements: list[str]
) -> None:
    cost, user = _cost(statements, lambda: get_user(sessions, world["fans"][1],
                                                    world["viewer"][0], MEDIA))
    assert cost == 1 and user.is_follow is True  # type: ignore[attr-defined]
