"""Likes, comments, follows and messages (endpoints 7 to 16) through the gateway, for real."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import USER_FIELDS, failed, ok, published, register

pytestmark = pytest.mark.stack


@pytest.fixture
def author_and_video(api: httpx.Client, sample_video: bytes) -> tuple[int, str, int]:
    """A fresh author, their token and one of their videos."""
    user_id, token = register(api)
    return user_id, token, published(api, token, user_id, sample_video)["id"]


def user(api: httpx.Client, user_id: int, token: str | None = None) -> dict[str, Any]:
    params: dict[str, Any] = {"user_id": user_id, **({"token": token} if token else {})}
    return ok(api.get("/douyin/user/", params=params))["user"]


def like(api: httpx.Client, token: str, video_id: int, action: int = 1) -> httpx.Response:
    return api.post("/douyin/favorite/action/",
                    params={"token": token, "video_id": video_id, "action_type": action})


def follow(api: httpx.Client, token: str, to_user_id: int, action: int = 1) -> httpx.Response:
    return api.post("/douyin/relation/action/",
                    params={"token": token, "to_user_id": to_user_id, "action_type": action})


def test_likes_are_idempotent_viewer_relative_and_counted_everywhere(
    api: httpx.Client, author_and_video: tuple[int, str, int],
) -> None:
    author, _, video = author_and_video
    fan, fan_token = register(api)
    other, other_token = register(api)
    for _ in range(2):
        ok(like(api, fan_token, video))
    ok(like(api, other_token, video, 2))  # unlike of nothing
    liked = ok(api.get("/douyin/favorite/list/", params={"user_id": fan, "token": fan_token}))
    assert [v["id"] for v in liked["video_list"]] == [video]
    assert liked["video_list"][0]["is_favorite"] is True
    assert liked["video_list"][0]["favorite_count"] == 1
    # the same list, seen by someone else and by a guest
    for token in (other_token, None):
        params = {"user_id": fan, **({"token": token} if token else {})}
        shown = ok(api.get("/douyin/favorite/list/", params=params))["video_list"][0]
        assert shown["is_favorite"] is False and shown["favorite_count"] == 1
    assert user(api, fan)["favorite_count"] == 1
    assert user(api, author)["total_favorited"] == 1
    assert user(api, other)["favorite_count"] == 0
    for _ in range(2):
        ok(like(api, fan_token, video, 2))
    assert user(api, author)["total_favorited"] == 0 and user(api, fan)["favorite_count"] == 0
    assert ok(api.get("/douyin/favorite/list/", params={"user_id": fan}))["video_list"] == []


def test_favorite_errors(api: httpx.Client, author_and_video: tuple[int, str, int]) -> None:
    _, token, video = author_and_video
    failed(like(api, token, 2**62), 1004)
    failed(like(api, token, video, 3), 1001)
    failed(like(api, "junk", video), 1002)
    failed(api.post("/douyin/favorite/action/", params={"video_id": video, "action_type": 1}),
           1002)
    for bad in ("x", "-1", "0"):
        failed(api.post("/douyin/favorite/action/",
                        params={"token": token, "video_id": bad, "action_type": 1}), 1001)
    failed(api.post("/douyin/favorite/action/", params={"token": token, "video_id": video,
                                                        "action_type": "like"}), 1001)
    failed(api.get("/douyin/favorite/list/", params={"user_id": 2**62}), 1004)


def test_comments_post_list_delete_with_their_rules(
    api: httpx.Client, author_and_video: tuple[int, str, int],
) -> None:
    author, author_token, video = author_and_video
    fan, fan_token = register(api)
    posted = []
    for text in ("first!", "second, with 中文 and emoji 🎉"):
        doc = ok(api.post("/douyin/comment/action/", params={
            "token": fan_token, "video_id": video, "action_type": 1, "comment_text": text}))
        comment = doc["comment"]
        assert comment["content"] == text and comment["user"]["id"] == fan
        assert set(comment["user"]) == set(USER_FIELDS)
        assert re.fullmatch(r"\d\d-\d\d", comment["create_date"])
        posted.append(comment["id"])
    listed = ok(api.get("/douyin/comment/list/", params={"video_id": video}))["comment_list"]
    assert [c["id"] for c in listed] == posted[::-1]
    assert listed[0]["user"]["is_follow"] is False
    shown = ok(api.get("/douyin/publish/list/", params={"user_id": author}))["video_list"][0]
    assert shown["comment_count"] == 2
    # only the author deletes, and only on the right video
    failed(api.post("/douyin/comment/action/", params={
        "token": author_token, "video_id": video, "action_type": 2, "comment_id": posted[0]}),
        1003)
    failed(api.post("/douyin/comment/action/", params={
        "token": fan_token, "video_id": video, "action_type": 2, "comment_id": 2**62}), 1004)
    ok(api.post("/douyin/comment/action/", params={
        "token": fan_token, "video_id": video, "action_type": 2, "comment_id": posted[0]}))
    listed = ok(api.get("/douyin/comment/list/", params={"video_id": video}))["comment_list"]
    assert [c["id"] for c in listed] == [posted[1]]
    shown = ok(api.get("/douyin/publish/list/", params={"user_id": author}))["video_list"][0]
    assert shown["comment_count"] == 1


def test_comment_errors(api: httpx.Client, author_and_video: tuple[int, str, int]) -> None:
    _, token, video = author_and_video
    base = {"token": token, "video_id": video, "action_type": 1}
    for text, words in (("x" * 501, "500"), ("", "comment_text"), ("   ", "empty"),
                        ("bad\x00byte", "control")):
        message = failed(api.post("/douyin/comment/action/",
                                  params={**base, "comment_text": text}), 1001)
        assert words in message, message
    assert "comment_text" in failed(api.post("/douyin/comment/action/", params=base), 1001)
    failed(api.post("/douyin/comment/action/", params={**base, "action_type": 2}), 1001)
    failed(api.post("/douyin/comment/action/",
                    params={**base, "video_id": 2**62, "comment_text": "hi"}), 1004)
    failed(api.post("/douyin/comment/action/", params={**base, "token": "junk"}), 1002)
    failed(api.get("/douyin/comment/list/", params={"video_id": 2**62}), 1004)
    failed(api.get("/douyin/comment/list/", params={"video_id": "seven"}), 1001)
    failed(api.get("/douyin/comment/list/"), 1001)


def test_follows_lists_and_viewer_relative_is_follow(api: httpx.Client) -> None:
    ann, ann_token = register(api)
    bob, bob_token = register(api)
    cat, cat_token = register(api)
    for _ in range(2):
        ok(follow(api, ann_token, bob))
    ok(follow(api, bob_token, cat, 2))  # unfollow of a stranger
    ok(follow(api, cat_token, bob))
    failed(follow(api, ann_token, ann), 1001)
    failed(follow(api, ann_token, 2**62), 1004)
    failed(follow(api, ann_token, bob, 0), 1001)
    assert (user(api, ann)["follow_count"], user(api, bob)["follower_count"]) == (1, 2)
    assert user(api, bob, ann_token)["is_follow"] is True
    assert user(api, bob, cat_token)["is_follow"] is True
    assert user(api, bob)["is_follow"] is False
    assert user(api, ann, bob_token)["is_follow"] is False
    followers = ok(api.get("/douyin/relation/follower/list/",
                           params={"user_id": bob, "token": ann_token}))["user_list"]
    assert [u["id"] for u in followers] == [cat, ann]
    # seen by ann: she does not follow cat nor herself
    assert [u["is_follow"] for u in followers] == [False, False]
    following = ok(api.get("/douyin/relation/follow/list/", params={"user_id": ann}))
    assert [u["id"] for u in following["user_list"]] == [bob]
    ok(follow(api, ann_token, bob, 2))
    ok(follow(api, ann_token, bob, 2))
    assert (user(api, ann)["follow_count"], user(api, bob)["follower_count"]) == (0, 1)
    failed(api.get("/douyin/relation/follow/list/", params={"user_id": 2**62}), 1004)
    failed(api.get("/douyin/relation/follower/list/", params={"user_id": "-5"}), 1001)


def test_friends_and_chat_polling(api: httpx.Client) -> None:
    ann, ann_token = register(api)
    bob, bob_token = register(api)
    ok(follow(api, ann_token, bob))
    assert ok(api.get("/douyin/relation/friend/list/",
                      params={"user_id": ann, "token": ann_token}))["user_list"] == []
    ok(follow(api, bob_token, ann))

    def send(token: str, to: int, content: str) -> None:
        ok(api.post("/douyin/message/action/", params={
            "token": token, "to_user_id": to, "action_type": 1, "content": content}))

    def chat(token: str, to: int, pre: int) -> list[dict[str, Any]]:
        return ok(api.get("/douyin/message/chat/", params={
            "token": token, "to_user_id": to, "pre_msg_time": pre}))["message_list"]

    send(ann_token, bob, "hi bob")
    friends = ok(api.get("/douyin/relation/friend/list/",
                         params={"user_id": ann, "token": ann_token}))["user_list"]
    assert len(friends) == 1
    friend = friends[0]
    assert set(USER_FIELDS) <= set(friend) and friend["id"] == bob
    assert (friend["message"], friend["msgType"]) == ("hi bob", 1)
    seen_by_bob = ok(api.get("/douyin/relation/friend/list/",
                             params={"user_id": bob, "token": bob_token}))["user_list"][0]
    assert (seen_by_bob["message"], seen_by_bob["msgType"]) == ("hi bob", 0)

    whole = chat(bob_token, ann, 0)
    assert [(m["from_user_id"], m["to_user_id"], m["content"]) for m in whole] == [
        (ann, bob, "hi bob")]
    assert isinstance(whole[0]["create_time"], int) and whole[0]["create_time"] > 10**12
    held = whole[-1]["create_time"]
    send(bob_token, ann, "hi ann")
    # bob's own message does not come back to bob's poll; ann gets it once
    assert chat(bob_token, ann, held) == []
    got = chat(ann_token, bob, held)
    assert [m["content"] for m in got] == ["hi ann"]
    assert chat(ann_token, bob, got[-1]["create_time"]) == []
    assert [m["content"] for m in chat(ann_token, bob, 0)] == ["hi bob", "hi ann"]

    failed(api.get("/douyin/relation/friend/list/", params={"user_id": ann}), 1002)
    failed(api.get("/douyin/relation/friend/list/",
                   params={"user_id": bob, "token": ann_token}), 1003)
    failed(api.get("/douyin/message/chat/", params={"to_user_id": bob, "pre_msg_time": 0}),
           1002)
    failed(api.post("/douyin/message/action/", params={
        "token": ann_token, "to_user_id": bob, "action_type": 2, "content": "x"}), 1001)
    failed(api.post("/douyin/message/action/", params={
        "token": ann_token, "to_user_id": bob, "action_type": 1, "content": "x" * 1001}), 1001)
    failed(api.post("/douyin/message/action/", params={
        "token": ann_token, "to_user_id": ann, "action_type": 1, "content": "me"}), 1001)
    failed(api.get("/douyin/message/chat/", params={
        "token": ann_token, "to_user_id": bob, "pre_msg_time": "-1"}), 1001)


def test_parameters_in_the_query_the_form_or_both(
    api: httpx.Client, author_and_video: tuple[int, str, int],
) -> None:
    _, _, video = author_and_video
    fan, token = register(api)
    fields = {"token": token, "video_id": str(video), "action_type": "1"}
    ok(api.post("/douyin/favorite/action/", data=fields))              # form only
    ok(api.post("/douyin/favorite/action/", params=fields))            # query only
    # both: the query wins (here it says unlike, the form says like)
    ok(api.post("/douyin/favorite/action/", params={**fields, "action_type": "2"}, data=fields))
    assert user(api, fan)["favorite_count"] == 0
    # a GET with its parameters in a form body, as the official tests send them
    listed = ok(api.request("GET", "/douyin/comment/list/", data={"video_id": str(video)}))
    assert listed["comment_list"] == []


def test_every_endpoint_answers_without_its_trailing_slash(api: httpx.Client) -> None:
    paths = ["feed", "user/register", "user/login", "user", "publish/action", "publish/list",
             "favorite/action", "favorite/list", "comment/action", "comment/list",
             "relation/action", "relation/follow/list", "relation/follower/list",
             "relation/friend/list", "message/chat", "message/action"]
    assert len(paths) == 16
    for path in paths:
        method = "POST" if path.endswith(("action", "register", "login")) else "GET"
        for suffix in ("/", ""):
            response = api.request(method, f"/douyin/{path}{suffix}")
            doc = response.json()
            assert response.status_code == 200 and isinstance(doc["status_code"], int), path
            assert doc["status_msg"] != "no such endpoint", path


def test_counters_stay_exact_under_concurrent_clients(
    api: httpx.Client, sample_video: bytes,
) -> None:
    author, author_token = register(api)
    videos = [published(api, author_token, author, sample_video, f"v{i}")["id"] for i in range(2)]
    fans = [register(api) for _ in range(8)]

    def churn(index: int) -> None:
        _, token = fans[index % len(fans)]
        for step in range(6):
            ok(like(api, token, videos[step % 2], 1 if (index + step) % 3 else 2))
            ok(follow(api, token, author, 1 if (index + step) % 2 else 2))

    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(churn, range(32)))
    likes = {v: 0 for v in videos}
    for fan_id, _ in fans:
        liked = ok(api.get("/douyin/favorite/list/", params={"user_id": fan_id}))["video_list"]
        assert user(api, fan_id)["favorite_count"] == len(liked)
        for video in liked:
            likes[video["id"]] += 1
    shown = ok(api.get("/douyin/publish/list/", params={"user_id": author}))["video_list"]
    assert {v["id"]: v["favorite_count"] for v in shown} == likes
    followers = ok(api.get("/douyin/relation/follower/list/",
                           params={"user_id": author}))["user_list"]
    profile = user(api, author)
    assert profile["follower_count"] == len(followers)
    assert profile["total_favorited"] == sum(likes.values())
