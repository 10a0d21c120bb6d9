"""A gateway app over small fakes of the services, and the contract's 16 endpoints as data."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from fastapi.testclient import TestClient
from google.protobuf import message_factory

from gateway.app import create_app
from gateway.clients import Clients
from gateway.settings import GatewaySettings
from pki import ops
from pki.jwtkeys import sign_token
from pki.store import PkiStore
from protos import (
    comment_pb2,
    favorite_pb2,
    feed_pb2,
    message_pb2,
    publish_pb2,
    relation_pb2,
    user_pb2,
)
from services.mesh import catalog

_MODULES: dict[str, ModuleType] = {
    "user": user_pb2, "feed": feed_pb2, "publish": publish_pb2, "favorite": favorite_pb2,
    "comment": comment_pb2, "relation": relation_pb2, "message": message_pb2,
}


class FakeService:
    """Answers every RPC of one service with an empty reply of the RPC's type; records calls."""

    def __init__(self, name: str) -> None:
        (service,) = _MODULES[name].DESCRIPTOR.services_by_name.values()
        self.replies = {method.name: message_factory.GetMessageClass(method.output_type)
                        for method in service.methods}
        self.calls: list[tuple[str, Any, str | None]] = []
        self.fail_with: Exception | None = None

    async def call(self, method: str, request: Any, *, token: str | None = None,
                   idempotent: bool = False, timeout: float | None = None) -> Any:
        if not hasattr(request, "ListFields"):  # a client stream (publish): drain it
            request = [chunk async for chunk in request]
        self.calls.append((method, request, token))
        if self.fail_with is not None:
            raise self.fail_with
        return self.replies[method]()


@dataclass
class Gateway:
    """A test client of the app, its fake services and a way to mint tokens."""

    http: TestClient
    services: dict[str, FakeService]
    store: PkiStore
    tokens: dict[int, str] = field(default_factory=dict)

    def token(self, user_id: int = 7) -> str:
        """A valid token of `user_id`."""
        if user_id not in self.tokens:
            self.tokens[user_id] = sign_token(self.store.load_jwt_private(), user_id, 600)
        return self.tokens[user_id]

    def calls(self) -> int:
        """RPCs made so far, across every service."""
        return sum(len(s.calls) for s in self.services.values())


@pytest.fixture
def make_gateway(tmp_path: Path) -> Iterator[Callable[..., Gateway]]:
    """Build a gateway with settings overrides (e.g. limits); closed after the test."""
    store = PkiStore(tmp_path / "pki")
    ops.ensure_material(store, {"gateway": []})
    opened: list[TestClient] = []

    def build(**overrides: Any) -> Gateway:
        settings = GatewaySettings(pki_dir=store.root, **overrides)  # type: ignore[call-arg]
        fakes = {name: FakeService(name) for name in catalog.SERVICES}
        clients = Clients(fakes)
        http = TestClient(create_app(settings, clients_factory=lambda: clients),
                          raise_server_exceptions=False)
        opened.append(http.__enter__())
        return Gateway(http, fakes, store)

    yield build
    for http in opened:
        http.__exit__(None, None, None)


@pytest.fixture
def gateway(make_gateway: Callable[..., Gateway]) -> Gateway:
    """A gateway with the default settings."""
    return make_gateway()


@dataclass(frozen=True)
class Endpoint:
    """One endpoint of the contract and a request that succeeds against the fakes (a `token`
    of VALID is replaced by a real one)."""

    method: str
    path: str
    service: str
    params: dict[str, str]
    multipart: bool = False

    def send(self, gw: Gateway, params: dict[str, str] | None = None,
             method: str | None = None) -> Any:
        """Send `params` (default: the succeeding ones) the way the app would."""
        params = dict(self.params if params is None else params)
        if params.get("token") == VALID:
            params["token"] = gw.token()
        method = method or self.method
        if self.multipart and method == "POST":
            return gw.http.post(self.path, data=params,
                                files={"data": ("clip.mp4", b"\0" * 64, "video/mp4")})
        if method == "POST":
            return gw.http.post(self.path, data=params)
        return gw.http.request(method, self.path, params=params)


VALID = "VALID"

ENDPOINTS = [
    Endpoint("GET", "/douyin/feed/", "feed", {"latest_time": "0"}),
    Endpoint("POST", "/douyin/user/register/", "user",
             {"username": "ann", "password": "secret123"}),
    Endpoint("POST", "/douyin/user/login/", "user", {"username": "ann", "password": "secret123"}),
    Endpoint("GET", "/douyin/user/", "user", {"user_id": "1"}),
    Endpoint("POST", "/douyin/publish/action/", "publish", {"token": VALID, "title": "t"},
             multipart=True),
    Endpoint("GET", "/douyin/publish/list/", "publish", {"user_id": "1"}),
    Endpoint("POST", "/douyin/favorite/action/", "favorite",
             {"token": VALID, "video_id": "1", "action_type": "1"}),
    Endpoint("GET", "/douyin/favorite/list/", "favorite", {"user_id": "1"}),
    Endpoint("POST", "/douyin/comment/action/", "comment",
             {"token": VALID, "video_id": "1", "action_type": "1", "comment_text": "hi"}),
    Endpoint("GET", "/douyin/comment/list/", "comment", {"video_id": "1"}),
    Endpoint("POST", "/douyin/relation/action/", "relation",
             {"token": VALID, "to_user_id": "2", "action_type": "1"}),
    Endpoint("GET", "/douyin/relation/follow/list/", "relation", {"user_id": "1"}),
    Endpoint("GET", "/douyin/relation/follower/list/", "relation", {"user_id": "1"}),
    Endpoint("GET", "/douyin/relation/friend/list/", "relation",
             {"token": VALID, "user_id": "1"}),
    Endpoint("GET", "/douyin/message/chat/", "message", {"token": VALID, "to_user_id": "2"}),
    Endpoint("POST", "/douyin/message/action/", "message",
             {"token": VALID, "to_user_id": "2", "action_type": "1", "content": "hi"}),
]
