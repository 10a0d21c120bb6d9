"""Who may call what: the routes' identity dependencies agree with the catalog's public
methods, and the typed clients refuse an anonymous call of any other method before any RPC."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

import pytest

from gateway.auth import Identity
from gateway.clients import Clients
from gateway.deps import actor, current_user, viewer
from gateway.routes.base import dependencies_of
from services.mesh import catalog
from services.mesh.errors import AppError, Code
from tests.gateway.conftest import ENDPOINTS, Endpoint, FakeService, Gateway

# the other branch of each endpoint that calls one of two methods
SECOND_ACTIONS = [
    replace(e, params={**e.params, "action_type": "2", "comment_id": "1"})
    if e.path == "/douyin/comment/action/" else replace(e, params={**e.params, "action_type": "2"})
    for e in ENDPOINTS
    if e.path in ("/douyin/favorite/action/", "/douyin/comment/action/",
                  "/douyin/relation/action/")
]
EVERY_BRANCH = ENDPOINTS + SECOND_ACTIONS


def dependencies(endpoint: Endpoint) -> set[Callable[..., Any]]:
    """The dependencies of the route serving `endpoint`."""
    return dependencies_of(endpoint.method, endpoint.path)


def methods_called(gateway: Gateway, endpoint: Endpoint) -> set[tuple[str, str]]:
    """The (service, method) pairs one successful request of `endpoint` calls."""
    for fake in gateway.services.values():
        fake.calls.clear()
    doc = endpoint.send(gateway).json()
    assert doc["status_code"] == 0, doc
    return {(name, method) for name, fake in gateway.services.items()
            for method, _, _ in fake.calls}


@pytest.mark.parametrize("endpoint", EVERY_BRANCH,
                         ids=lambda e: f"{e.path}{e.params.get('action_type', '')}")
def test_a_route_requires_a_user_exactly_when_it_calls_a_non_public_method(
    gateway: Gateway, endpoint: Endpoint
) -> None:
    called = methods_called(gateway, endpoint)
    assert called, "every endpoint makes one RPC"
    private = {(s, m) for s, m in called if m not in catalog.SERVICES[s].public}
    deps = dependencies(endpoint)
    if private:
        assert current_user in deps, f"{endpoint.path} calls {private}: it needs CurrentUser"
        assert viewer not in deps, f"{endpoint.path}: Viewer beside CurrentUser"
    else:
        assert current_user not in deps, f"{endpoint.path} calls only public methods {called}"


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.path)
def test_actions_and_only_actions_are_rate_limited(endpoint: Endpoint) -> None:
    is_action = endpoint.path.endswith("/action/")
    assert (actor in dependencies(endpoint)) == is_action


SIGNED_IN = [e for e in ENDPOINTS if e.params.get("token")]


@pytest.mark.parametrize("endpoint", SIGNED_IN, ids=lambda e: e.path)
@pytest.mark.parametrize(("token", "message"), [
    (None, "token is required: please log in"),
    ("", "token is required: please log in"),
    ("x.y.z", "invalid token (malformed): please log in"),
])
def test_a_signed_in_route_refuses_a_missing_or_invalid_token(
    gateway: Gateway, endpoint: Endpoint, token: str | None, message: str
) -> None:
    params = {k: v for k, v in endpoint.params.items() if k != "token"}
    if token is not None:
        params["token"] = token
    doc = endpoint.send(gateway, params).json()
    assert (doc["status_code"], doc["status_msg"]) == (int(Code.UNAUTHENTICATED), message)
    assert gateway.calls() == 0


@pytest.fixture
def fakes() -> dict[str, FakeService]:
    return {name: FakeService(name) for name in catalog.SERVICES}


ANONYMOUS_CALLS: list[tuple[str, Callable[[Clients], Awaitable[Any]]]] = [
    ("publish", lambda c: c.publish.publish("t", 0, _Empty(), Identity.ANONYMOUS)),
    ("favorite", lambda c: c.favorite.like(1, Identity.ANONYMOUS)),
    ("favorite", lambda c: c.favorite.unlike(1, Identity.ANONYMOUS)),
    ("comment", lambda c: c.comment.post(1, "hi", Identity.ANONYMOUS)),
    ("comment", lambda c: c.comment.delete(1, 2, Identity.ANONYMOUS)),
    ("relation", lambda c: c.relation.follow(2, Identity.ANONYMOUS)),
    ("relation", lambda c: c.relation.unfollow(2, Identity.ANONYMOUS)),
    ("relation", lambda c: c.relation.list_friends(1, Identity.ANONYMOUS)),
    ("message", lambda c: c.message.send(2, "hi", Identity.ANONYMOUS)),
    ("message", lambda c: c.message.chat(2, 0, Identity.ANONYMOUS)),
]


class _Empty:
    """An uploaded file with nothing in it."""

    async def seek(self, offset: int) -> None:
        pass

    async def read(self, size: int = -1) -> bytes:
        return b""


@pytest.mark.anyio
@pytest.mark.parametrize(("service", "call"), ANONYMOUS_CALLS)
async def test_a_non_public_method_is_refused_to_an_anonymous_viewer_before_any_rpc(
    fakes: dict[str, FakeService], service: str, call: Callable[[Clients], Awaitable[Any]]
) -> None:
    with pytest.raises(AppError) as refused:
        await call(Clients(fakes))
    assert refused.value.code == Code.UNAUTHENTICATED
    assert "please log in" in refused.value.message
    assert fakes[service].calls == []


@pytest.mark.anyio
async def test_public_methods_serve_anonymous_viewers_and_forward_a_signed_in_token(
    fakes: dict[str, FakeService],
) -> None:
    clients = Clients(fakes)
    await clients.feed.get_feed(0, Identity.ANONYMOUS)
    await clients.comment.list_comments(3, Identity(7, "tok"))
    await clients.user.login("ann", "secret123")
    assert [(m, t) for m, _, t in fakes["feed"].calls] == [("GetFeed", None)]
    assert [(m, r.video_id, t) for m, r, t in fakes["comment"].calls] == [("List", 3, "tok")]
    assert [m for m, _, _ in fakes["user"].calls] == ["Login"]


def test_every_method_the_clients_may_refuse_exists_in_its_service() -> None:
    # a public set naming a method the proto lacks would make that method private by typo
    for api in catalog.SERVICES.values():
        stub_methods = set(FakeService(api.name).replies)
        assert api.public <= stub_methods, api.name
    assert {s for s, _ in ANONYMOUS_CALLS} <= set(catalog.SERVICES)
