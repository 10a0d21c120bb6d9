"""The camp's test client, replayed twice against one database.

Its helper registers two fixed usernames at the start of every test and reads `token` from the
register reply; an empty token (the name is taken) sends it to log in. So on any run but the
first, every register fails, and the failure must still carry `token` (empty) and `user_id`.
The flows below follow the client's: publish, like and unlike, comment, follow, chat.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

import httpx
import pytest

from tests.e2e.conftest import body, ok, publish

pytestmark = pytest.mark.stack

# fixed on purpose: the second replay must find them taken (password = name, like the client)
USER_A = "camp_douyin_a"
USER_B = "camp_douyin_b"


@dataclass
class Client:
    """The camp client's session: which way each token was obtained."""

    api: httpx.Client
    how: list[str] = field(default_factory=list)

    def user(self, name: str) -> tuple[int, str]:
        """Register `name`; on an empty token, log in. Its id and token."""
        both = {"username": name, "password": name}
        # like the client: each field in the query string and the form
        registered = body(self.api.post("/douyin/user/register/", params=both, data=both))
        token = registered["token"]  # a KeyError here is what broke the real client
        if token:
            self.how.append("register")
            return registered["user_id"], token
        assert registered["user_id"] == 0 and registered["status_code"] != 0, registered
        logged_in = ok(self.api.post("/douyin/user/login/", params=both, data=both))
        assert logged_in["token"] and logged_in["user_id"] > 0
        self.how.append("login")
        return logged_in["user_id"], logged_in["token"]

    def both_ways(self, method: str, path: str, **params: object) -> dict:
        """A request with each parameter in the query string and the form body."""
        fields = {k: str(v) for k, v in params.items()}
        return ok(self.api.request(method, path, params=fields, data=fields))


def publish_flow(client: Client, video: bytes) -> None:
    """Publish a video as A; it is in A's publish list."""
    user_id, token = client.user(USER_A)
    ok(publish(client.api, token, video, "Bear"))
    listed = ok(client.api.get("/douyin/publish/list/",
                               params={"user_id": user_id, "token": token}))
    assert listed["video_list"] and all(v["play_url"] and v["cover_url"]
                                        for v in listed["video_list"])


def favorite_flow(client: Client) -> None:
    """Like the newest video as A, see it in the list, unlike it."""
    user_id, token = client.user(USER_A)
    feed = ok(client.api.get("/douyin/feed/"))
    video_id = feed["video_list"][0]["id"]
    client.both_ways("POST", "/douyin/favorite/action/", token=token, video_id=video_id,
                     action_type=1)
    liked = client.both_ways("GET", "/douyin/favorite/list/", token=token, user_id=user_id)
    assert video_id in {v["id"] for v in liked["video_list"]}
    client.both_ways("POST", "/douyin/favorite/action/", token=token, video_id=video_id,
                     action_type=2)
    liked = client.both_ways("GET", "/douyin/favorite/list/", token=token, user_id=user_id)
    assert video_id not in {v["id"] for v in liked["video_list"]}


def comment_flow(client: Client) -> None:
    """Comment on the newest video as A, see it listed, delete it."""
    _, token = client.user(USER_A)
    video_id = ok(client.api.get("/douyin/feed/"))["video_list"][0]["id"]
    text = f"comment {secrets.token_hex(4)}"
    posted = client.both_ways("POST", "/douyin/comment/action/", token=token,
                              video_id=video_id, action_type=1, comment_text=text)
    comment_id = posted["comment"]["id"]
    assert posted["comment"]["content"] == text
    listed = client.both_ways("GET", "/douyin/comment/list/", token=token, video_id=video_id)
    assert comment_id in {c["id"] for c in listed["comment_list"]}
    client.both_ways("POST", "/douyin/comment/action/", token=token, video_id=video_id,
                     action_type=2, comment_id=comment_id)
    listed = client.both_ways("GET", "/douyin/comment/list/", token=token, video_id=video_id)
    assert comment_id not in {c["id"] for c in listed["comment_list"]}


def relation_flow(client: Client) -> None:
    """A follows B and back: the follow, follower and friend lists; then A unfollows."""
    a, a_token = client.user(USER_A)
    b, b_token = client.user(USER_B)

    def ids(path: str, token: str, user_id: int) -> set[int]:
        listed = client.both_ways("GET", path, token=token, user_id=user_id)
        return {u["id"] for u in listed["user_list"]}

    client.both_ways("POST", "/douyin/relation/action/", token=a_token, to_user_id=b,
                     action_type=1)
    assert b in ids("/douyin/relation/follow/list/", a_token, a)
    assert a in ids("/douyin/relation/follower/list/", b_token, b)
    client.both_ways("POST", "/douyin/relation/action/", token=b_token, to_user_id=a,
                     action_type=1)
    assert b in ids("/douyin/relation/friend/list/", a_token, a)
    client.both_ways("POST", "/douyin/relation/action/", token=a_token, to_user_id=b,
                     action_type=2)
    assert b not in ids("/douyin/relation/follow/list/", a_token, a)
    assert b not in ids("/douyin/relation/friend/list/", a_token, a)


def chat_flow(client: Client) -> None:
    """A writes to B; B polls the chat, then polls again from the newest message."""
    a, a_token = client.user(USER_A)
    b, b_token = client.user(USER_B)
    text = f"hello {secrets.token_hex(4)}"
    client.both_ways("POST", "/douyin/message/action/", token=a_token, to_user_id=b,
                     action_type=1, content=text)
    chat = client.both_ways("GET", "/douyin/message/chat/", token=b_token, to_user_id=a,
                            pre_msg_time=0)
    mine = [m for m in chat["message_list"] if m["content"] == text]
    assert len(mine) == 1 and (mine[0]["from_user_id"], mine[0]["to_user_id"]) == (a, b)
    # the client polls with the newest create_time it holds: nothing new since then
    newest = max(m["create_time"] for m in chat["message_list"])
    again = client.both_ways("GET", "/douyin/message/chat/", token=b_token, to_user_id=a,
                             pre_msg_time=newest)
    assert text not in {m["content"] for m in again["message_list"]}


def replay(api: httpx.Client, video: bytes) -> list[str]:
    """One run of the client's tests; how each of its tokens was obtained."""
    client = Client(api)
    publish_flow(client, video)
    favorite_flow(client)
    comment_flow(client)
    relation_flow(client)
    chat_flow(client)
    return client.how


def test_the_camp_client_passes_twice_on_one_database(api: httpx.Client,
                                                      sample_video: bytes) -> None:
    first = replay(api, sample_video)
    # the stack is fresh: each fixed name is registered once, then taken
    assert first.count("register") == 2 and len(first) == 7
    second = replay(api, sample_video)
    assert second == ["login"] * 7
