"""Text parameters must be valid UTF-8, wherever they arrive: refused, never stored as U+FFFD."""

from __future__ import annotations

import pytest

from services.mesh.errors import Code
from tests.gateway.conftest import Gateway

COMMENT = "/douyin/comment/action/"
BAD = b"caf\xe9 \xff"  # latin-1, not UTF-8


def comment_fields(gateway: Gateway) -> dict[str, str]:
    """A comment post but for its text."""
    return {"token": gateway.token(), "video_id": "1", "action_type": "1"}


def refused(doc: dict, field: str) -> None:
    """`doc` refuses `field` as not UTF-8, in the comment action's full shape."""
    assert doc["status_code"] == int(Code.INVALID_ARGUMENT), doc
    assert doc["status_msg"] == f"{field} is not valid UTF-8"
    assert doc["comment"] is None  # and still the full reply shape


def test_invalid_utf8_in_the_query_string_is_refused(gateway: Gateway) -> None:
    query = "&".join(f"{k}={v}" for k, v in comment_fields(gateway).items())
    response = gateway.http.post(f"{COMMENT}?{query}&comment_text=caf%E9")
    refused(response.json(), "comment_text")
    assert gateway.calls() == 0


def test_a_parameter_name_that_is_not_utf8_is_refused(gateway: Gateway) -> None:
    response = gateway.http.get("/douyin/feed/?%FF=1")
    doc = response.json()
    assert doc["status_code"] == int(Code.INVALID_ARGUMENT)
    assert doc["status_msg"] == "a parameter name is not valid UTF-8"
    assert doc["video_list"] == [] and doc["next_time"] == 0


def test_invalid_utf8_in_an_urlencoded_form_is_refused(gateway: Gateway) -> None:
    body = "&".join(f"{k}={v}" for k, v in comment_fields(gateway).items()).encode()
    response = gateway.http.post(COMMENT, content=body + b"&comment_text=" + BAD,
                                 headers={"content-type": "application/x-www-form-urlencoded"})
    refused(response.json(), "comment_text")
    assert gateway.calls() == 0


def test_invalid_utf8_in_a_multipart_text_field_is_refused(gateway: Gateway) -> None:
    response = gateway.http.post(
        "/douyin/publish/action/", data={"token": gateway.token(), "title": BAD},  # type: ignore[dict-item]
        files={"data": ("clip.mp4", b"\0" * 64, "video/mp4")},
    )
    doc = response.json()
    assert doc == {"status_code": int(Code.INVALID_ARGUMENT),
                   "status_msg": "title is not valid UTF-8"}
    assert gateway.calls() == 0


@pytest.mark.parametrize("text", ["café ☕ 你好", "plain", "😀", ""])
def test_valid_utf8_passes_every_way(gateway: Gateway, text: str) -> None:
    fields = {**comment_fields(gateway), "comment_text": text}
    assert gateway.http.post(COMMENT, params=fields).json()["status_code"] == 0
    assert gateway.http.post(COMMENT, data=fields).json()["status_code"] == 0
    multipart = gateway.http.post(COMMENT, data=fields, files={"unused": ("f", b"x")})
    assert multipart.json()["status_code"] == 0
    contents = [request.content for _, request, _ in gateway.services["comment"].calls]
    assert contents == [text] * 3


def test_binary_file_content_is_not_text(gateway: Gateway) -> None:
    response = gateway.http.post(
        "/douyin/publish/action/", data={"token": gateway.token(), "title": "fine"},
        files={"data": ("clip.mp4", BAD * 100, "video/mp4")},
    )
    assert response.json()["status_code"] == 0
