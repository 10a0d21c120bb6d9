"""Helpers for end-to-end tests through the REST gateway of the running stack."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.conftest import RunningStack


@pytest.fixture(scope="session")
def api(running_stack: RunningStack) -> Iterator[httpx.Client]:
    """An HTTP client of the gateway that never follows redirects (the contract has none)."""
    with httpx.Client(base_url=running_stack.gateway_url, timeout=15,
                      follow_redirects=False) as client:
        yield client


def body(response: httpx.Response) -> dict[str, Any]:
    """The JSON of a contract response, which is always HTTP 200 with a status_code."""
    assert response.status_code == 200, response.text
    doc = response.json()
    assert isinstance(doc["status_code"], int) and isinstance(doc["status_msg"], str)
    return doc


def unique_name(prefix: str = "u") -> str:
    """A username no other test uses."""
    return f"{prefix}{secrets.token_hex(6)}"


def register(api: httpx.Client, name: str | None = None,
             password: str = "secret123") -> tuple[int, str]:
    """Register a fresh user; its id and token."""
    doc = body(api.post("/douyin/user/register/",
                        params={"username": name or unique_name(), "password": password}))
    assert doc["status_code"] == 0, doc
    return doc["user_id"], doc["token"]


USER_FIELDS = {
    "id": int, "name": str, "follow_count": int, "follower_count": int, "is_follow": bool,
    "avatar": str, "background_image": str, "signature": str, "total_favorited": int,
    "work_count": int, "favorite_count": int,
}
VIDEO_FIELDS = {
    "id": int, "author": dict, "play_url": str, "cover_url": str, "favorite_count": int,
    "comment_count": int, "is_favorite": bool, "title": str,
}


@pytest.fixture(scope="session")
def sample_video(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """The bytes of a small, real H.264 MP4 made with PyAV."""
    from services.publish.samples import write_sample_video

    path = tmp_path_factory.mktemp("media") / "clip.mp4"
    return write_sample_video(path, seconds=1.0, width=160, height=120).read_bytes()


def ok(response: httpx.Response) -> dict[str, Any]:
    """The JSON of a response that must have succeeded."""
    doc = body(response)
    assert doc["status_code"] == 0, doc
    return doc


def failed(response: httpx.Response, code: int | None = None) -> str:
    """The status_msg of a response that must have failed (with `code`, when given)."""
    doc = body(response)
    assert doc["status_code"] != 0, doc
    if code is not None:
        assert doc["status_code"] == code, doc
    assert doc["status_msg"] and "Traceback" not in doc["status_msg"]
    return doc["status_msg"]


def publish(api: httpx.Client, token: str, data: bytes, title: str = "a clip") -> httpx.Response:
    """POST a video as multipart, the way the app does."""
    return api.post("/douyin/publish/action/", data={"token": token, "title": title},
                    files={"data": ("clip.mp4", data, "video/mp4")})


def published(api: httpx.Client, token: str, user_id: int, data: bytes,
              title: str = "a clip") -> dict[str, Any]:
    """Publish a video; the video as the publish list shows it to its author."""
    ok(publish(api, token, data, title))
    videos = ok(api.get("/douyin/publish/list/", params={"user_id": user_id, "token": token}))
    return next(v for v in videos["video_list"] if v["title"] == title)
