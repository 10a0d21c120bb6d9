"""Endpoints 2 to 4 through the gateway, with every error path, against the real stack."""

from __future__ import annotations

import httpx
import pytest

from tests.e2e.conftest import USER_FIELDS, body, register, unique_name

pytestmark = pytest.mark.stack


def test_register_login_and_user_info(api: httpx.Client) -> None:
    name = unique_name()
    user_id, token = register(api, name)
    assert user_id > 0 and token.count(".") == 2

    login = body(api.post("/douyin/user/login/", params={"username": name,
                                                          "password": "secret123"}))
    assert login["status_code"] == 0 and login["user_id"] == user_id and login["token"]

    info = body(api.get("/douyin/user/", params={"user_id": user_id, "token": token}))
    assert info["status_code"] == 0
    user = info["user"]
    assert {k: type(v) for k, v in user.items()} == USER_FIELDS
    assert (user["id"], user["name"], user["is_follow"]) == (user_id, name, False)
    assert user["work_count"] == user["favorite_count"] == user["total_favorited"] == 0


def test_default_avatar_and_background_are_absolute_urls_that_serve_images(
    api: httpx.Client,
) -> None:
    user_id, _ = register(api)
    user = body(api.get("/douyin/user/", params={"user_id": user_id}))["user"]
    for url in (user["avatar"], user["background_image"]):
        assert url.startswith("http://")
        image = httpx.get(url, timeout=5)
        assert image.status_code == 200
        assert image.content.startswith(b"\x89PNG")


def test_user_info_with_only_a_token_is_the_token_owner(api: httpx.Client) -> None:
    user_id, token = register(api)
    info = body(api.get("/douyin/user/", params={"token": token}))
    assert info["status_code"] == 0 and info["user"]["id"] == user_id


def test_user_info_is_public_with_a_bad_token_but_needs_someone_to_show(
    api: httpx.Client,
) -> None:
    user_id, _ = register(api)
    anonymous = body(api.get("/douyin/user/", params={"user_id": user_id, "token": "junk"}))
    assert anonymous["status_code"] == 0 and anonymous["user"]["id"] == user_id
    nobody = body(api.get("/douyin/user/", params={"token": "junk"}))
    assert nobody["status_code"] != 0 and "user_id" in nobody["status_msg"]


@pytest.mark.parametrize(
    ("user_id", "message"),
    [("abc", "must be an integer"), ("-4", "positive"), ("0", "positive"),
     ("99999999999999999999", "positive 64-bit"), ("987654321987", "does not exist")],
)
def test_bad_or_unknown_user_ids(api: httpx.Client, user_id: str, message: str) -> None:
    doc = body(api.get("/douyin/user/", params={"user_id": user_id}))
    assert doc["status_code"] != 0
    assert message in doc["status_msg"]
    assert "user" not in doc or doc.get("user") is None


def test_duplicate_username_is_refused(api: httpx.Client) -> None:
    name = unique_name()
    register(api, name)
    doc = body(api.post("/douyin/user/register/", params={"username": name,
                                                           "password": "another1"}))
    assert doc["status_code"] != 0
    assert "taken" in doc["status_msg"]


def test_wrong_password_and_unknown_user_fail_the_same_way(api: httpx.Client) -> None:
    name = unique_name()
    register(api, name)
    wrong = body(api.post("/douyin/user/login/", params={"username": name, "password": "nope!!"}))
    ghost = body(api.post("/douyin/user/login/",
                          params={"username": unique_name("ghost"), "password": "nope!!"}))
    assert wrong["status_code"] != 0 and ghost["status_code"] != 0
    assert wrong["status_msg"] == ghost["status_msg"]
    assert "token" not in wrong or not wrong.get("token")


@pytest.mark.parametrize(
    ("username", "password", "field"),
    [("", "secret123", "username"), ("x" * 33, "secret123", "username"),
     (None, "secret123", "username"), ("okname", "short", "password"),
     ("okname", "p" * 33, "password"), ("okname", None, "password")],
)
def test_register_limits(api: httpx.Client, username, password, field: str) -> None:
    params = {k: v for k, v in (("username", username), ("password", password)) if v is not None}
    doc = body(api.post("/douyin/user/register/", params=params))
    assert doc["status_code"] != 0
    assert field in doc["status_msg"]


def test_parameters_from_query_form_or_both(api: httpx.Client) -> None:
    in_form = unique_name("f")
    doc = body(api.post("/douyin/user/register/",
                        data={"username": in_form, "password": "secret123"}))
    assert doc["status_code"] == 0
    # both: the query wins over the form
    in_query = unique_name("q")
    both = body(api.post("/douyin/user/register/",
                         params={"username": in_query, "password": "secret123"},
                         data={"username": "ignored!", "password": "x"}))
    assert both["status_code"] == 0
    info = body(api.get("/douyin/user/", params={"user_id": both["user_id"]}))
    assert info["user"]["name"] == in_query
    # a GET with its parameters in a form body, as the official tests send them
    form_get = api.request("GET", "/douyin/user/", data={"user_id": str(doc["user_id"])})
    assert body(form_get)["user"]["name"] == in_form


@pytest.mark.parametrize("path", ["/douyin/user/register/", "/douyin/user/register"])
def test_both_slash_forms_answer_without_redirect(api: httpx.Client, path: str) -> None:
    doc = body(api.post(path, params={"username": unique_name(), "password": "secret123"}))
    assert doc["status_code"] == 0


def test_unknown_endpoint_and_wrong_method_still_answer_in_the_contract_shape(
    api: httpx.Client,
) -> None:
    wrong_method = api.get("/douyin/user/register/")
    assert wrong_method.status_code == 200 and wrong_method.json()["status_code"] != 0
    missing = api.get("/douyin/nothing/")
    assert missing.json()["status_code"] != 0
