"""Feed and publish (endpoints 1, 5, 6) through the gateway, against the real stack."""

from __future__ import annotations

import io
import os
import time

import av
import httpx
import pytest

from stack.bootstrap import minio_client
from tests.conftest import TEST_UPLOAD_LIMIT_MB, RunningStack
from tests.e2e.conftest import (
    VIDEO_FIELDS,
    failed,
    ok,
    publish,
    published,
    register,
)

pytestmark = pytest.mark.stack


def media_objects(stack: RunningStack) -> set[str]:
    """Every video and cover object in the media bucket."""
    ctx = stack.context
    minio = ctx.definition.components["minio"]
    client = minio_client(ctx, minio)
    return {o.object_name for prefix in ("videos/", "covers/")
            for o in client.list_objects(minio.params["bucket"], prefix=prefix, recursive=True)}


def test_a_published_video_is_served_with_its_cover_and_counted(
    api: httpx.Client, sample_video: bytes,
) -> None:
    user_id, token = register(api)
    started = time.monotonic()
    video = published(api, token, user_id, sample_video, "my first clip")
    assert time.monotonic() - started < 5
    assert {k: type(v) for k, v in video.items()} == VIDEO_FIELDS
    assert video["author"]["id"] == user_id and video["author"]["work_count"] == 1
    assert video["favorite_count"] == video["comment_count"] == 0
    # generated keys, never the client's file name
    assert "clip.mp4" not in video["play_url"] and video["play_url"].endswith(".mp4")
    played = httpx.get(video["play_url"], timeout=10)
    assert played.status_code == 200 and played.content == sample_video
    cover = httpx.get(video["cover_url"], timeout=10)
    assert cover.status_code == 200 and cover.content[:2] == b"\xff\xd8"
    with av.open(io.BytesIO(cover.content)) as image:
        frame = next(image.decode(video=0))
        assert (frame.width, frame.height) == (160, 120)


def test_feed_is_newest_first_for_guests_and_viewers_with_next_time(
    api: httpx.Client, sample_video: bytes,
) -> None:
    user_id, token = register(api)
    first = published(api, token, user_id, sample_video, "older")
    second = published(api, token, user_id, sample_video, "newer")
    _, fan_token = register(api)
    ok(api.post("/douyin/favorite/action/",
                params={"token": fan_token, "video_id": second["id"], "action_type": 1}))
    for token_param, liked in ((fan_token, True), (None, False), ("junk", False)):
        params = {"token": token_param} if token_param else {}
        doc = ok(api.get("/douyin/feed/", params=params))
        videos = doc["video_list"]
        assert 2 <= len(videos) <= 30
        ids = [v["id"] for v in videos]
        assert ids.index(second["id"]) < ids.index(first["id"])
        shown = next(v for v in videos if v["id"] == second["id"])
        assert shown["is_favorite"] is liked and shown["favorite_count"] == 1
        assert isinstance(doc["next_time"], int) and doc["next_time"] > 10**12
    # the next page starts strictly before the oldest video shown
    newest = ok(api.get("/douyin/feed/"))
    page = ok(api.get("/douyin/feed/", params={"latest_time": newest["next_time"]}))
    assert not {v["id"] for v in page["video_list"]} & {newest["video_list"][-1]["id"]}


def test_feed_latest_time_in_seconds_or_milliseconds(api: httpx.Client,
                                                     sample_video: bytes) -> None:
    user_id, token = register(api)
    video = published(api, token, user_id, sample_video, "timed")
    after_s = int(time.time()) + 2
    for latest in (after_s, after_s * 1000, 0, ""):
        ids = [v["id"] for v in ok(api.get("/douyin/feed/",
                                          params={"latest_time": latest}))["video_list"]]
        assert video["id"] in ids, latest
    # an hour ago, in both units: the video is newer, so it is not shown
    hour_ago = int(time.time()) - 3600
    for latest in (hour_ago, hour_ago * 1000):
        doc = ok(api.get("/douyin/feed/", params={"latest_time": latest}))
        assert video["id"] not in [v["id"] for v in doc["video_list"]]
    for bad in ("-1", "soon", "1e9"):
        failed(api.get("/douyin/feed/", params={"latest_time": bad}), 1001)


def test_non_videos_oversize_and_bad_titles_are_refused_and_leave_nothing_behind(
    api: httpx.Client, sample_video: bytes, running_stack: RunningStack,
) -> None:
    user_id, token = register(api)
    before = media_objects(running_stack)
    png = b"\x89PNG\r\n\x1a\n" + os.urandom(2000)
    cases = {
        "text": (b"just some text, not a video\n" * 50, "a clip", "not a video"),
        "image": (png, "a clip", "not a video"),
        "truncated": (sample_video[:1500], "a clip", "not a video"),
        "empty": (b"", "a clip", "empty"),
        "no title": (sample_video, "", "title"),
        "long title": (sample_video, "x" * 101, "title"),
    }
    for name, (data, title, words) in cases.items():
        message = failed(publish(api, token, data, title))
        assert words in message.lower(), (name, message)
    big = os.urandom((TEST_UPLOAD_LIMIT_MB + 1) * 2**20)
    message = failed(api.post("/douyin/publish/action/", data={"token": token, "title": "big"},
                              files={"data": ("big.mp4", big, "video/mp4")}), 1008)
    assert f"{TEST_UPLOAD_LIMIT_MB} MiB" in message
    failed(api.post("/douyin/publish/action/", data={"token": token, "title": "no file"}), 1001)
    failed(publish(api, "junk", sample_video), 1002)
    assert media_objects(running_stack) == before
    mine = ok(api.get("/douyin/publish/list/", params={"user_id": user_id}))
    assert mine["video_list"] == []
    user = ok(api.get("/douyin/user/", params={"user_id": user_id}))["user"]
    assert user["work_count"] == 0


def test_publish_list_for_guests_unknown_users_and_bad_ids(
    api: httpx.Client, sample_video: bytes,
) -> None:
    user_id, token = register(api)
    published(api, token, user_id, sample_video, "one")
    published(api, token, user_id, sample_video, "two")
    titles = [v["title"] for v in ok(api.get("/douyin/publish/list/",
                                             params={"user_id": user_id}))["video_list"]]
    assert titles == ["two", "one"]
    failed(api.get("/douyin/publish/list/", params={"user_id": 2**62}), 1004)
    for bad in ("abc", "-3", "0", "1.5", str(2**63)):
        failed(api.get("/douyin/publish/list/", params={"user_id": bad}), 1001)
