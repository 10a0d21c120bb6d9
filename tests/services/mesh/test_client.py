"""ServiceClient's retries and write outcomes, with fake discovery, channels and stubs."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import grpc
import pytest

from services.mesh.client import ServiceClient
from services.mesh.errors import CODE_KEY, AppError, Code
from services.mesh.registry import InstanceInfo

pytestmark = pytest.mark.anyio


def instance(address: str) -> InstanceInfo:
    return InstanceInfo("user", address, address, 1, "0.1.0", 0.0, "spiffe://dytt/user")


def failed(status: grpc.StatusCode, dytt_code: Code | None = None) -> grpc.aio.AioRpcError:
    """A failed call as grpc.aio raises it, with or without the service's own code in its
    trailers."""
    trailing = ((CODE_KEY, str(int(dytt_code))),) if dytt_code else ()
    details = "the service's words" if dytt_code else "Channel closed!"
    return grpc.aio.AioRpcError(status, grpc.aio.Metadata(), grpc.aio.Metadata(*trailing),
                                details)


class Discovery:
    """Instances by address, in a fixed order; records every pick."""

    service = "user"
    generation = 0

    def __init__(self, *addresses: str) -> None:
        self.listed = [instance(a) for a in addresses]
        self.picks: list[str] = []

    def instances(self) -> list[InstanceInfo]:
        return list(self.listed)

    def pick(self, exclude: frozenset[str] = frozenset()) -> InstanceInfo:
        candidates = [i for i in self.listed if i.address not in exclude]
        if not candidates:
            raise AppError(Code.UNAVAILABLE)
        self.picks.append(candidates[0].address)
        return candidates[0]


class Pool:
    """Channels are addresses; `unreachable` ones never connect."""

    def __init__(self, unreachable: frozenset[str] = frozenset()) -> None:
        self.unreachable = unreachable

    @contextmanager
    def lease(self, address: str, timeout: float,
              server_name: str | None = None) -> Iterator[str]:
        yield address

    async def ready(self, channel: str, wait: float) -> bool:
        return channel not in self.unreachable

    def retain(self, owner: str, addresses: set[str]) -> None:
        pass


def client(discovery: Discovery, behaviour: Callable[[str], Any], pool: Pool | None = None,
           read_budget: float = 1.0) -> ServiceClient:
    """A client whose stub answers `behaviour(address)` (raising what it raises)."""

    class Stub:
        def __init__(self, address: str) -> None:
            self.address = address

        async def Call(self, request: Any, **_: Any) -> Any:
            return behaviour(self.address)

    return ServiceClient(discovery, pool or Pool(), Stub,  # type: ignore[arg-type]
                         timeout=1.0, read_budget=read_budget)


async def test_a_read_moves_on_even_when_the_dead_instance_left_meanwhile() -> None:
    discovery = Discovery("dead:1", "alive:2")

    def behaviour(address: str) -> str:
        if address == "dead:1":
            # the dead instance's key is deleted while its call fails
            discovery.listed = [i for i in discovery.listed if i.address != "dead:1"]
            raise failed(grpc.StatusCode.UNAVAILABLE)
        return f"served by {address}"

    served = await client(discovery, behaviour).call("Call", None, idempotent=True)
    assert served == "served by alive:2"
    assert discovery.picks == ["dead:1", "alive:2"]


async def test_a_read_cancelled_under_it_is_retried_elsewhere() -> None:
    discovery = Discovery("closing:1", "alive:2")

    def behaviour(address: str) -> str:
        if address == "closing:1":
            raise failed(grpc.StatusCode.CANCELLED)
        return "ok"

    assert await client(discovery, behaviour).call("Call", None, idempotent=True) == "ok"


async def test_a_read_waits_out_a_short_outage_of_every_instance() -> None:
    discovery = Discovery("a:1", "b:2")
    outcomes = iter([failed(grpc.StatusCode.UNAVAILABLE, Code.UNAVAILABLE)] * 5)

    def behaviour(address: str) -> str:
        failure = next(outcomes, None)
        if failure is not None:
            raise failure
        return f"served by {address}"

    served = await client(discovery, behaviour).call("Call", None, idempotent=True)
    assert served.startswith("served")
    assert len(discovery.picks) == 6


async def test_a_read_gives_up_after_its_budget_with_the_last_error() -> None:
    discovery = Discovery("a:1")

    def behaviour(address: str) -> str:
        raise failed(grpc.StatusCode.UNAVAILABLE, Code.UNAVAILABLE)

    with pytest.raises(AppError) as info:
        await client(discovery, behaviour, read_budget=0.3).call("Call", None, idempotent=True)
    assert info.value.code == Code.UNAVAILABLE
    assert 2 <= len(discovery.picks) <= 10


async def test_a_read_whose_commit_broke_is_retried_and_never_reported_as_unknown() -> None:
    discovery = Discovery("a:1", "b:2")
    outcomes = iter([failed(grpc.StatusCode.UNKNOWN, Code.OUTCOME_UNKNOWN)])

    def behaviour(address: str) -> str:
        failure = next(outcomes, None)
        if failure is not None:
            raise failure
        return "ok"

    assert await client(discovery, behaviour).call("Call", None, idempotent=True) == "ok"
    always = client(discovery, lambda address: (_ for _ in ()).throw(
        failed(grpc.StatusCode.UNKNOWN, Code.OUTCOME_UNKNOWN)), read_budget=0.2)
    with pytest.raises(AppError) as info:
        await always.call("Call", None, idempotent=True)
    assert info.value.code == Code.UNAVAILABLE


async def test_a_read_refused_by_the_service_is_not_retried() -> None:
    discovery = Discovery("a:1", "b:2")

    def behaviour(address: str) -> str:
        raise failed(grpc.StatusCode.NOT_FOUND, Code.NOT_FOUND)

    with pytest.raises(AppError) as info:
        await client(discovery, behaviour).call("Call", None, idempotent=True)
    assert info.value.code == Code.NOT_FOUND and discovery.picks == ["a:1"]


@pytest.mark.parametrize("status", [grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.CANCELLED,
                                    grpc.StatusCode.DEADLINE_EXCEEDED])
async def test_a_sent_write_that_broke_is_reported_as_of_unknown_outcome(
        status: grpc.StatusCode) -> None:
    discovery = Discovery("a:1", "b:2")

    def behaviour(address: str) -> str:
        raise failed(status)

    with pytest.raises(AppError) as info:
        await client(discovery, behaviour).call("Call", None)
    assert info.value.code == Code.OUTCOME_UNKNOWN and "may" in info.value.message
    assert discovery.picks == ["a:1"]  # never sent twice


async def test_a_write_the_service_refused_keeps_the_services_code() -> None:
    discovery = Discovery("a:1", "b:2")

    def behaviour(address: str) -> str:
        raise failed(grpc.StatusCode.UNAVAILABLE, Code.UNAVAILABLE)

    with pytest.raises(AppError) as info:
        await client(discovery, behaviour).call("Call", None)
    assert info.value.code == Code.UNAVAILABLE and discovery.picks == ["a:1"]


async def test_a_write_skips_an_unreachable_instance_without_sending_to_it() -> None:
    discovery = Discovery("down:1", "up:2")
    sent: list[str] = []

    def behaviour(address: str) -> str:
        sent.append(address)
        return "done"

    write = client(discovery, behaviour, Pool(unreachable=frozenset({"down:1"})))
    assert await write.call("Call", None) == "done"
    assert sent == ["up:2"] and discovery.picks == ["down:1", "up:2"]


async def test_a_write_with_no_reachable_instance_is_plainly_unavailable() -> None:
    discovery = Discovery("down:1")
    write = client(discovery, lambda address: "done", Pool(unreachable=frozenset({"down:1"})))
    with pytest.raises(AppError) as info:
        await write.call("Call", None)
    assert info.value.code == Code.UNAVAILABLE


def cancelled_stub_client(discovery: Discovery, closed: set[str],
                          pool: Pool | None = None) -> ServiceClient:
    """A client whose calls at `closed` addresses end as grpc.aio ends a call whose channel
    was closed under it."""

    class Stub:
        def __init__(self, address: str) -> None:
            self.address = address

        async def Call(self, request: Any, **_: Any) -> Any:
            if self.address in closed:
                raise asyncio.CancelledError  # what awaiting a locally cancelled call raises
            return f"served by {self.address}"

    return ServiceClient(discovery, pool or Pool(), Stub,  # type: ignore[arg-type]
                         timeout=1.0, read_budget=1.0)


async def test_a_read_whose_channel_closed_under_it_is_retried_elsewhere() -> None:
    discovery = Discovery("closing:1", "alive:2")
    client = cancelled_stub_client(discovery, {"closing:1"})
    assert await client.call("Call", None, idempotent=True) == "served by alive:2"


async def test_a_write_whose_channel_closed_under_it_is_of_unknown_outcome() -> None:
    discovery = Discovery("closing:1", "alive:2")
    with pytest.raises(AppError) as info:
        await cancelled_stub_client(discovery, {"closing:1"}).call("Call", None)
    assert info.value.code == Code.OUTCOME_UNKNOWN and discovery.picks == ["closing:1"]


async def test_a_cancelled_request_stays_cancelled() -> None:
    """The request's own cancellation (a client gone, a shutdown) is no failed try."""
    discovery = Discovery("a:1", "b:2")
    started = asyncio.Event()

    def behaviour(address: str) -> str:
        started.set()
        return "never"

    class Stub:
        def __init__(self, address: str) -> None:
            self.address = address

        async def Call(self, request: Any, **_: Any) -> Any:
            behaviour(self.address)
            await asyncio.sleep(10)

    reader = ServiceClient(discovery, Pool(), Stub, timeout=1.0)  # type: ignore[arg-type]
    task = asyncio.create_task(reader.call("Call", None, idempotent=True))
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert discovery.picks == ["a:1"]
