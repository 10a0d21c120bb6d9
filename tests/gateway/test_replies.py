"""Every reply, success or failure, carries its endpoint's full shape (the contract's rule)."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.routing import Route

from gateway.replies import REPLIES, Reply
from gateway.routes import comment, favorite, feed, message, publish, relation, user
from services.mesh.errors import AppError, Code
from tests.gateway.conftest import ENDPOINTS, Endpoint, Gateway

ENVELOPE = {"status_code", "status_msg"}
by_path = pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.path)


def zero_reply(endpoint: Endpoint, code: Code, message: str | None = None) -> dict[str, Any]:
    """What a failure of `endpoint` must look like, but for the message when None."""
    shape = REPLIES[endpoint.path.rstrip("/")]
    return {"status_code": int(code), **({"status_msg": message} if message else {}),
            **shape.zeros()}


def invalid(params: dict[str, str]) -> dict[str, str]:
    """`params` with a negative number, or without a required text when there is none."""
    for key in ("latest_time", "video_id", "to_user_id", "user_id"):
        if key in params:
            return {**params, key: "-1"}
    return {k: v for k, v in params.items() if k not in ("password", "title")}


def without_message(doc: dict[str, Any]) -> dict[str, Any]:
    """`doc` without its status_msg, after checking that it says something."""
    assert isinstance(doc["status_msg"], str) and doc["status_msg"]
    return {k: v for k, v in doc.items() if k != "status_msg"}


def test_the_contract_has_16_endpoints_and_each_route_declares_its_reply() -> None:
    assert len(REPLIES) == len(ENDPOINTS) == 16
    assert {e.path.rstrip("/") for e in ENDPOINTS} == set(REPLIES)
    modules = (comment, favorite, feed, message, publish, relation, user)
    routed = {r.path.rstrip("/") for m in modules for r in m.router.routes
              if isinstance(r, Route)}
    assert routed == set(REPLIES)


@by_path
def test_success_carries_every_field_of_the_shape(gateway: Gateway, endpoint: Endpoint) -> None:
    response = endpoint.send(gateway)
    doc = response.json()
    assert response.status_code == 200 and doc["status_code"] == 0, doc
    assert set(doc) == ENVELOPE | set(REPLIES[endpoint.path.rstrip("/")].zero)


@by_path
def test_a_service_failure_has_the_success_keys_with_zero_values(
    gateway: Gateway, endpoint: Endpoint
) -> None:
    success = endpoint.send(gateway).json()
    gateway.services[endpoint.service].fail_with = AppError(Code.NOT_FOUND, "no such thing")
    doc = endpoint.send(gateway).json()
    assert set(doc) == set(success)
    assert doc == zero_reply(endpoint, Code.NOT_FOUND, "no such thing")


@by_path
def test_a_validation_failure_has_the_success_keys(gateway: Gateway, endpoint: Endpoint) -> None:
    doc = endpoint.send(gateway, invalid(endpoint.params)).json()
    assert without_message(doc) == without_message(zero_reply(endpoint, Code.INVALID_ARGUMENT,
                                                              "-"))
    assert gateway.calls() == 0


@by_path
def test_a_wrong_method_has_the_success_keys(gateway: Gateway, endpoint: Endpoint) -> None:
    wrong = "GET" if endpoint.method == "POST" else "POST"
    response = gateway.http.request(wrong, endpoint.path)
    assert response.status_code == 200
    assert without_message(response.json()) == without_message(
        zero_reply(endpoint, Code.INVALID_ARGUMENT, "-"))


@by_path
def test_a_bug_has_the_success_keys(gateway: Gateway, endpoint: Endpoint) -> None:
    gateway.services[endpoint.service].fail_with = ZeroDivisionError("secret detail")
    doc = endpoint.send(gateway).json()
    assert doc == zero_reply(endpoint, Code.INTERNAL, "internal error")


def test_an_unknown_path_is_a_bare_404(gateway: Gateway) -> None:
    response = gateway.http.get("/douyin/nothing/here/")
    assert response.status_code == 404
    assert response.json() == {"status_code": int(Code.NOT_FOUND),
                               "status_msg": "no such endpoint"}


def test_an_oversized_publish_is_refused_in_its_shape(make_gateway) -> None:
    gateway = make_gateway(max_upload_bytes=1024)
    response = gateway.http.post(
        "/douyin/publish/action/", data={"token": gateway.token(), "title": "t"},
        files={"data": ("clip.mp4", b"\0" * 200_000, "video/mp4")},
    )
    assert response.json()["status_code"] == int(Code.TOO_LARGE)
    assert set(response.json()) == ENVELOPE | set(REPLIES["/douyin/publish/action"].zero)
    assert gateway.calls() == 0


def test_failure_lists_are_fresh_and_objects_are_null() -> None:
    shape = REPLIES["/douyin/feed"]
    first = shape.failure(1, "x")
    first["video_list"].append("dirt")
    assert shape.failure(1, "x")["video_list"] == []
    assert REPLIES["/douyin/user"].failure(1, "x")["user"] is None
    assert REPLIES["/douyin/comment/action"].failure(1, "x")["comment"] is None


def test_a_success_with_a_field_outside_its_shape_is_refused() -> None:
    with pytest.raises(TypeError, match="bogus"):
        Reply({"token": ""}).success({"token": "t", "bogus": 1})
    assert Reply({"token": "", "user_id": 0}).success({"token": "t"}) == {
        "status_code": 0, "status_msg": "success", "token": "t", "user_id": 0}
