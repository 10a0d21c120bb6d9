"""Fresh reads: once a client has the reply to an action, every later read by any client,
through any gateway and any service instance, reflects it (issue 11's constraint on any
optimisation of the read path).

Every service runs two instances (the gateway's clients take them in turn) and a second gateway
runs beside the supervisor's, with its own connections and its own token cache. Each action is
sent through one gateway and read back at once through the other, with no pause.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from stack.ports import free_ports
from stack.readiness import registered_instances
from stack.wiring import service_env
from tests.conftest import RunningStack
from tests.e2e.conftest import ok, published, register

pytestmark = pytest.mark.stack

SERVICES = ("user", "feed", "publish", "favorite", "comment", "relation", "message")
ROUNDS = 4  # each round's reads go to both instances of a service at least once


@pytest.fixture(scope="module")
def other_gateway(running_stack: RunningStack,
                  tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    """A client of a second gateway process, while every service runs two instances."""
    ctx = running_stack.context
    for name in SERVICES:
        running_stack.dyttctl("scale", f"{name}=2")
        assert len(registered_instances(ctx, ctx.definition.components[name])) == 2, name
    port = free_ports(1)[0]
    env = {**running_stack.env, **service_env(ctx, ctx.definition.components["gateway"]),
           "DYTT_SVC_PORT": str(port)}
    output = tmp_path_factory.mktemp("other-gateway") / "output.log"
    with output.open("wb") as sink:
        process = subprocess.Popen([sys.executable, "-m", "gateway"], env=env, stdout=sink,
                                   stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=url, timeout=15) as client:
            deadline = time.monotonic() + 30
            while True:
                assert process.poll() is None, output.read_text()[-2000:]
                try:
                    if client.get("/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, "the second gateway never answered"
                time.sleep(0.1)
            yield client
    finally:
        process.terminate()
        process.wait(30)
        for name in SERVICES:
            running_stack.dyttctl("scale", f"{name}=1")


def read(client: httpx.Client, path: str, **params: Any) -> dict[str, Any]:
    return ok(client.get(path, params=params))


def act(client: httpx.Client, path: str, **params: Any) -> dict[str, Any]:
    return ok(client.post(path, params=params))


def test_every_action_is_seen_at_once_through_another_gateway_and_instance(
        api: httpx.Client, other_gateway: httpx.Client, sample_video: bytes) -> None:
    author, author_token = register(api)
    viewer, token = register(other_gateway)
    for turn in range(ROUNDS):
        # the action through one gateway, the reads through the other; then the other way
        writer, reader = (api, other_gateway) if turn % 2 == 0 else (other_gateway, api)
        video = published(writer, author_token, author, sample_video, title=f"clip {turn}")["id"]
        works = read(reader, "/douyin/publish/list/", user_id=author, token=token)["video_list"]
        assert works[0]["id"] == video and len(works) == turn + 1

        act(writer, "/douyin/favorite/action/", token=token, video_id=video, action_type=1)
        page = read(reader, "/douyin/feed/", token=token)["video_list"]
        seen = next(v for v in page if v["id"] == video)
        assert seen["is_favorite"] and seen["favorite_count"] == 1
        liked = read(reader, "/douyin/favorite/list/", user_id=viewer, token=token)["video_list"]
        assert video in {v["id"] for v in liked}
        me = read(reader, "/douyin/user/", user_id=viewer, token=token)["user"]
        assert me["favorite_count"] == 1

        act(writer, "/douyin/relation/action/", token=token, to_user_id=author, action_type=1)
        them = read(reader, "/douyin/user/", user_id=author, token=token)["user"]
        assert them["is_follow"] and them["follower_count"] == 1
        assert them["total_favorited"] == 1 and them["work_count"] == turn + 1
        follows = read(reader, "/douyin/relation/follow/list/", user_id=viewer, token=token)
        assert [u["id"] for u in follows["user_list"]] == [author]

        comment = act(writer, "/douyin/comment/action/", token=token, video_id=video,
                      action_type=1, comment_text=f"nice {turn}")["comment"]
        comments = read(reader, "/douyin/comment/list/", video_id=video, token=token)
        assert [c["id"] for c in comments["comment_list"]] == [comment["id"]]
        page = read(reader, "/douyin/feed/", token=token)["video_list"]
        assert next(v for v in page if v["id"] == video)["comment_count"] == 1

        act(writer, "/douyin/message/action/", token=token, to_user_id=author, action_type=1,
            content=f"hello {turn}")
        chat = read(reader, "/douyin/message/chat/", token=author_token, to_user_id=viewer,
                    pre_msg_time=0)["message_list"]
        assert chat[-1]["content"] == f"hello {turn}"

        # and every undo, seen as much at once
        act(writer, "/douyin/comment/action/", token=token, video_id=video, action_type=2,
            comment_id=comment["id"])
        act(writer, "/douyin/favorite/action/", token=token, video_id=video, action_type=2)
        act(writer, "/douyin/relation/action/", token=token, to_user_id=author, action_type=2)
        assert read(reader, "/douyin/comment/list/", video_id=video,
                    token=token)["comment_list"] == []
        seen = next(v for v in read(reader, "/douyin/feed/", token=token)["video_list"]
                    if v["id"] == video)
        assert not seen["is_favorite"] and seen["favorite_count"] == 0
        assert seen["comment_count"] == 0 and not seen["author"]["is_follow"]
        them = read(reader, "/douyin/user/", user_id=author, token=token)["user"]
        assert not them["is_follow"] and them["follower_count"] == 0
        assert them["total_favorited"] == 0
        assert read(reader, "/douyin/relation/follow/list/", user_id=viewer,
                    token=token)["user_list"] == []
