"""Every endpoint's failure carries exactly the keys of its success, against the real stack."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import (
    USER_FIELDS,
    VIDEO_FIELDS,
    body,
    ok,
    publish,
    published,
    register,
    unique_name,
)

pytestmark = pytest.mark.stack

COMMENT_FIELDS = {"id", "user", "content", "create_date"}
MESSAGE_FIELDS = {"id", "to_user_id", "from_user_id", "content", "create_time"}
FRIEND_FIELDS = set(USER_FIELDS) | {"message", "msgType", "msg_type"}
ZEROS: dict[type, Any] = {int: 0, str: "", bool: False, list: [], dict: None}


@dataclass
class World:
    """Two users who follow each other, a video of `a`'s that `b` liked and commented on, and
    a message from `b` to `a`."""

    a: int
    a_token: str
    a_name: str
    b: int
    b_token: str
    video: int
    sample: bytes


@pytest.fixture(scope="module")
def world(api: httpx.Client, sample_video: bytes) -> World:
    """The World, built through the gateway."""
    a_name = unique_name("shape")
    a, a_token = register(api, a_name)
    b, b_token = register(api)
    video = published(api, a_token, a, sample_video, "shapes")["id"]
    for token, other in ((a_token, b), (b_token, a)):
        ok(api.post("/douyin/relation/action/",
                    params={"token": token, "to_user_id": other, "action_type": 1}))
    ok(api.post("/douyin/favorite/action/",
                params={"token": b_token, "video_id": video, "action_type": 1}))
    ok(api.post("/douyin/comment/action/", params={
        "token": b_token, "video_id": video, "action_type": 1, "comment_text": "nice"}))
    ok(api.post("/douyin/message/action/", params={
        "token": b_token, "to_user_id": a, "action_type": 1, "content": "hi"}))
    return World(a, a_token, a_name, b, b_token, video, sample_video)


Send = Callable[[httpx.Client, World], httpx.Response]


@dataclass(frozen=True)
class Case:
    """How to make one endpoint succeed and fail."""

    path: str
    success: Send
    failure: Send


def get(path: str, **params: Any) -> Send:
    """A GET of `path`; params given as callables of the world are evaluated at send time."""
    return lambda api, w: api.get(path, params=_resolve(params, w))


def post(path: str, **params: Any) -> Send:
    """A POST of `path`, its parameters in the query string (the form is tested elsewhere)."""
    return lambda api, w: api.post(path, params=_resolve(params, w))


def _resolve(params: dict[str, Any], w: World) -> dict[str, Any]:
    return {k: v(w) if callable(v) else v for k, v in params.items()}


def a_tok(w: World) -> str:
    """User a's token."""
    return w.a_token


CASES = [
    Case("/douyin/feed/", get("/douyin/feed/"), get("/douyin/feed/", latest_time="-5")),
    Case("/douyin/user/register/",
         post("/douyin/user/register/", username=lambda w: unique_name("shape"),
              password="secret123"),
         # the camp client's case: the name is taken, and it still reads `token`
         post("/douyin/user/register/", username=lambda w: w.a_name, password="secret123")),
    Case("/douyin/user/login/",
         post("/douyin/user/login/", username=lambda w: w.a_name, password="secret123"),
         post("/douyin/user/login/", username=lambda w: w.a_name, password="wrong-one")),
    Case("/douyin/user/", get("/douyin/user/", user_id=lambda w: w.a),
         get("/douyin/user/", user_id=str(2**62))),
    Case("/douyin/publish/action/",
         lambda api, w: publish(api, w.a_token, w.sample, "shapes again"),
         lambda api, w: publish(api, w.a_token, b"this is not a video" * 10, "not a video")),
    Case("/douyin/publish/list/", get("/douyin/publish/list/", user_id=lambda w: w.a),
         get("/douyin/publish/list/", user_id="-1")),
    Case("/douyin/favorite/action/",
         post("/douyin/favorite/action/", token=a_tok, video_id=lambda w: w.video, action_type=1),
         post("/douyin/favorite/action/", token=a_tok, video_id=lambda w: w.video,
              action_type=7)),
    Case("/douyin/favorite/list/", get("/douyin/favorite/list/", user_id=lambda w: w.b),
         get("/douyin/favorite/list/", user_id="abc")),
    Case("/douyin/comment/action/",
         post("/douyin/comment/action/", token=a_tok, video_id=lambda w: w.video,
              action_type=1, comment_text="thanks"),
         post("/douyin/comment/action/", token=a_tok, video_id=lambda w: w.video,
              action_type=1, comment_text="")),
    Case("/douyin/comment/list/", get("/douyin/comment/list/", video_id=lambda w: w.video),
         get("/douyin/comment/list/")),
    Case("/douyin/relation/action/",
         post("/douyin/relation/action/", token=a_tok, to_user_id=lambda w: w.b, action_type=1),
         post("/douyin/relation/action/", token=a_tok, to_user_id=lambda w: w.a,
              action_type=1)),
    Case("/douyin/relation/follow/list/",
         get("/douyin/relation/follow/list/", user_id=lambda w: w.a),
         get("/douyin/relation/follow/list/", user_id="0")),
    Case("/douyin/relation/follower/list/",
         get("/douyin/relation/follower/list/", user_id=lambda w: w.a),
         get("/douyin/relation/follower/list/", user_id="-3")),
    Case("/douyin/relation/friend/list/",
         get("/douyin/relation/friend/list/", token=a_tok, user_id=lambda w: w.a),
         get("/douyin/relation/friend/list/", token="not.a.token", user_id=lambda w: w.a)),
    Case("/douyin/message/chat/",
         get("/douyin/message/chat/", token=a_tok, to_user_id=lambda w: w.b, pre_msg_time=0),
         get("/douyin/message/chat/", token=a_tok)),
    Case("/douyin/message/action/",
         post("/douyin/message/action/", token=a_tok, to_user_id=lambda w: w.b, action_type=1,
              content="hello"),
         post("/douyin/message/action/", token=a_tok, to_user_id=lambda w: w.b, action_type=2,
              content="hello")),
]


def check_objects(doc: dict[str, Any], path: str) -> None:
    """The nested objects of a success carry exactly the contract's fields."""
    def video(v: dict[str, Any]) -> None:
        assert set(v) == set(VIDEO_FIELDS) and set(v["author"]) == set(USER_FIELDS), v

    for key, value in doc.items():
        if key == "video_list":
            assert value, f"{path}: an empty list checks nothing"
            for v in value:
                video(v)
        elif key == "user":
            assert set(value) == set(USER_FIELDS)
        elif key == "user_list":
            assert value, f"{path}: an empty list checks nothing"
            fields = FRIEND_FIELDS if "friend" in path else set(USER_FIELDS)
            assert all(set(u) == fields for u in value), value
        elif key in ("comment", "comment_list"):
            comments = [value] if key == "comment" else value
            assert comments
            for c in comments:
                assert set(c) == COMMENT_FIELDS and set(c["user"]) == set(USER_FIELDS), c
        elif key == "message_list":
            assert value and all(set(m) == MESSAGE_FIELDS for m in value), value


def test_the_cases_cover_all_16_endpoints() -> None:
    assert len({c.path for c in CASES}) == 16


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.path)
def test_failure_has_exactly_the_keys_of_success(api: httpx.Client, world: World,
                                                 case: Case) -> None:
    success = ok(case.success(api, world))
    check_objects(success, case.path)
    failure = body(case.failure(api, world))
    assert failure["status_code"] != 0 and failure["status_msg"], failure
    assert set(failure) == set(success), (success, failure)
    for key, value in success.items():
        if key not in ("status_code", "status_msg"):
            assert failure[key] == ZEROS[type(value)], (key, failure)
