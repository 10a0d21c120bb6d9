"""The REST boundary alone: parameters, error mapping and routing, with a fake user service."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from gateway.app import create_app
from gateway.clients import Clients
from gateway.settings import GatewaySettings
from pki import ops
from pki.jwtkeys import sign_token
from pki.store import PkiStore
from protos import user_pb2
from services.mesh import catalog
from services.mesh.errors import AppError, Code


class FakeUserClient:
    """Records calls; answers like the user service would."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any, str | None]] = []
        self.fail_with: Exception | None = None

    async def call(self, method: str, request: Any, *, token: str | None = None,
                   idempotent: bool = False, timeout: float | None = None) -> Any:
        self.calls.append((method, request, token))
        if self.fail_with is not None:
            raise self.fail_with
        if method in ("Register", "Login"):
            return user_pb2.AuthReply(user_id=42, token="tok")
        return user_pb2.GetUserReply(user=user_pb2.User(id=request.user_id, name="ann"))


@pytest.fixture
def store(tmp_path: Path) -> PkiStore:
    store = PkiStore(tmp_path / "pki")
    ops.ensure_material(store, {"gateway": []})
    return store


@pytest.fixture
def fake() -> FakeUserClient:
    return FakeUserClient()


@pytest.fixture
def client(store: PkiStore, fake: FakeUserClient) -> Iterator[TestClient]:
    settings = GatewaySettings(pki_dir=store.root)  # type: ignore[call-arg]
    clients = Clients({name: fake for name in catalog.SERVICES})
    app = create_app(settings, clients_factory=lambda: clients)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def test_query_wins_over_form_and_both_are_read(client: TestClient, fake) -> None:
    client.post("/douyin/user/login/?username=q", data={"username": "f", "password": "pw1234"})
    method, request, _ = fake.calls[-1]
    assert (method, request.username, request.password) == ("Login", "q", "pw1234")


def test_every_route_answers_with_and_without_its_slash(client: TestClient) -> None:
    for path in ("/douyin/user/register/", "/douyin/user/register"):
        response = client.post(path, params={"username": "a", "password": "b"},
                               follow_redirects=False)
        assert response.status_code == 200
        assert response.json() == {"status_code": 0, "status_msg": "success", "user_id": 42,
                                   "token": "tok"}


def test_app_errors_become_status_code_and_message(client: TestClient, fake) -> None:
    fake.fail_with = AppError(Code.ALREADY_EXISTS, "username 'a' is already taken")
    response = client.post("/douyin/user/register/", params={"username": "a", "password": "b"})
    assert response.status_code == 200
    # the full reply shape: the camp client reads `token` from a failed register
    assert response.json() == {"status_code": 1005,
                               "status_msg": "username 'a' is already taken",
                               "user_id": 0, "token": ""}


def test_a_bug_is_an_internal_error_without_a_stack_trace(client: TestClient, fake) -> None:
    fake.fail_with = ZeroDivisionError("secret detail")
    response = client.post("/douyin/user/login/", params={"username": "a", "password": "b"})
    assert response.status_code == 200
    assert response.json() == {"status_code": int(Code.INTERNAL), "status_msg": "internal error",
                               "user_id": 0, "token": ""}


def test_missing_parameters_are_named(client: TestClient) -> None:
    doc = client.post("/douyin/user/register/", params={"password": "x"}).json()
    assert doc["status_code"] == int(Code.INVALID_ARGUMENT)
    assert doc["status_msg"] == "username is required"


def test_user_info_uses_the_token_owner_when_user_id_is_missing(
    client: TestClient, fake, store: PkiStore
) -> None:
    token = sign_token(store.load_jwt_private(), 9, 600)
    doc = client.get("/douyin/user/", params={"token": token}).json()
    assert doc["status_code"] == 0 and doc["user"]["id"] == 9
    method, request, forwarded = fake.calls[-1]
    assert (method, request.user_id, forwarded) == ("GetUser", 9, token)
    assert set(doc["user"]) == {
        "id", "name", "follow_count", "follower_count", "is_follow", "avatar",
        "background_image", "signature", "total_favorited", "work_count", "favorite_count",
    }


def test_invalid_token_is_an_anonymous_viewer_on_reads(client: TestClient, fake) -> None:
    doc = client.get("/douyin/user/", params={"user_id": "5", "token": "x.y.z"}).json()
    assert doc["status_code"] == 0
    assert fake.calls[-1][2] is None  # nothing forwarded for an invalid token


def test_malformed_multipart_is_a_clear_error(client: TestClient) -> None:
    response = client.post("/douyin/user/login/", content=b"--zz\r\ngarbage",
                           headers={"content-type": "multipart/form-data"})
    doc = response.json()
    assert doc["status_code"] == int(Code.INVALID_ARGUMENT)
    assert "form" in doc["status_msg"]
