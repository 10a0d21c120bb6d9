"""ServiceClient's retries, with fake discovery and stubs (no servers)."""

from __future__ import annotations

from typing import Any

import grpc
import pytest

from services.common.client import ServiceClient
from services.common.errors import AppError, Code
from services.common.registry import InstanceInfo


def instance(address: str) -> InstanceInfo:
    return InstanceInfo("user", address, address, 1, "0.1.0", 0.0, "spiffe://dytt/user")


class Unavailable(grpc.RpcError, grpc.Call):  # type: ignore[misc]
    def code(self) -> grpc.StatusCode:
        return grpc.StatusCode.UNAVAILABLE

    def details(self) -> str:
        return "connection refused"

    def trailing_metadata(self) -> tuple:
        return ()


class Discovery:
    """Two instances; the dead one leaves the registry as soon as it has been tried."""

    service = "user"
    generation = 0

    def __init__(self) -> None:
        self.listed = [instance("dead:1"), instance("alive:2")]
        self.tries = 0

    def instances(self) -> list[InstanceInfo]:
        return list(self.listed)

    def pick(self, exclude: frozenset[str] = frozenset()) -> InstanceInfo:
        self.tries += 1
        candidates = [i for i in self.listed if i.address not in exclude]
        if not candidates:
            raise AppError(Code.UNAVAILABLE)
        return candidates[0]


class Pool:
    def get(self, address: str) -> str:
        return address

    def retain(self, addresses: set[str]) -> None:
        pass


def stubs(discovery: Discovery) -> Any:
    class Stub:
        def __init__(self, address: str) -> None:
            self.address = address

        def GetUser(self, request: Any, **_: Any) -> str:
            if self.address == "dead:1":
                # the dead instance's key is deleted while its call fails
                discovery.listed = [i for i in discovery.listed if i.address != "dead:1"]
                raise Unavailable()
            return f"served by {self.address}"

    return Stub


def test_an_idempotent_call_moves_on_even_when_the_dead_instance_left_meanwhile() -> None:
    discovery = Discovery()
    client = ServiceClient(discovery, Pool(), stubs(discovery))  # type: ignore[arg-type]
    assert client.call("GetUser", None, idempotent=True) == "served by alive:2"
    assert discovery.tries == 2


def test_a_call_that_is_not_idempotent_is_never_retried() -> None:
    discovery = Discovery()
    client = ServiceClient(discovery, Pool(), stubs(discovery))  # type: ignore[arg-type]
    with pytest.raises(AppError) as info:
        client.call("GetUser", None)
    assert info.value.code == Code.UNAVAILABLE and discovery.tries == 1
