"""Calling a service: discovery, one mTLS channel per instance, deadlines, safe retries.

A channel is never closed under a call: when its instance leaves the registry, or our own
certificate is renewed, the channel is retired and closed once its last call has ended (or its
last call's deadline has passed). Reads are retried on another instance when a call ends
UNAVAILABLE or CANCELLED, within one overall budget. Writes are never retried once sent: a write
whose call broke after it was sent ends OUTCOME_UNKNOWN (it may have been applied), never as a
plain failure; a write is sent only on a channel that is connected, so an instance that cannot
be reached is skipped without the doubt.

Everything here runs on the gateway's event loop, on `grpc.aio`: a call is a coroutine, not a
thread blocked on a channel.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import grpc

from services.mesh.discovery import Discovery
from services.mesh.errors import CODE_KEY, AppError, Code, from_rpc_error
from services.mesh.tls import IdentityFiles, Material, channel_credentials
from services.mesh.tracing import RpcSpan

log = logging.getLogger(__name__)

Stub = TypeVar("Stub")

# statuses after which a read may be sent again elsewhere: the instance went away or the
# channel was torn down under the call; a read has no effect to repeat
RETRYABLE_READ = frozenset({grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.CANCELLED})
# statuses of a sent write that, without the service's own code, say nothing of its outcome
_DOUBTFUL = frozenset({
    grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.CANCELLED, grpc.StatusCode.DEADLINE_EXCEEDED,
    grpc.StatusCode.UNKNOWN, grpc.StatusCode.INTERNAL, grpc.StatusCode.ABORTED,
    grpc.StatusCode.DATA_LOSS,
})
# how long a write waits for a channel that is not connected yet before trying elsewhere
CONNECT_WAIT = 2.0
# a retired channel whose calls all ended is closed at once; this bounds the wait otherwise
DRAIN_MARGIN = 1.0
# how often the pool looks for a renewed certificate: each look stats three files on the event
# loop, and a renewal comes at 2/3 of the certificate's lifetime, the old one still valid for the
# last third; a second late costs nothing, a look per call costs every call
IDENTITY_CHECK = 1.0


@dataclass
class _Entry:
    """A channel and the calls in flight on it."""

    channel: grpc.aio.Channel
    in_flight: int = 0
    # monotonic time by which every call on it has ended (the latest deadline given)
    deadline: float = 0.0


class ChannelPool:
    """One secure channel per instance address, shared by the clients of every service.

    It belongs to one event loop, as its aio channels do; nothing in it awaits between reading
    and updating its state, so the calls interleaving on the loop need no lock.
    """

    def __init__(self, identity: IdentityFiles, options: list[tuple[str, Any]] | None = None):
        self.identity = identity
        self.options = options or [
            ("grpc.keepalive_time_ms", 30_000),
            ("grpc.max_receive_message_length", 64 * 1024 * 1024),
        ]
        self._material: Material | None = None
        self._checked = -math.inf  # when the certificate files were last looked at
        self._live: dict[str, _Entry] = {}
        self._retired: list[_Entry] = []
        # the addresses each client (service) has listed: a channel is live while any lists it
        self._listed: dict[str, frozenset[str]] = {}
        # closings under way: closing an aio channel is a coroutine, run as a task that must
        # stay referenced until it ends
        self._closing: set[asyncio.Task[None]] = set()

    @contextmanager
    def lease(self, address: str, timeout: float,
              server_name: str | None = None) -> Iterator[grpc.aio.Channel]:
        """The channel to `address` for one call of at most `timeout` s; kept open during it.

        With `server_name`, the server's certificate must name it (our leaves carry their
        identity as a DNS name) whatever the address: in a cluster addresses are pod IPs that
        no certificate lists, and an address says nothing of who answers there.
        """
        entry = self._acquire(address, timeout, server_name)
        try:
            yield entry.channel
        finally:
            entry.in_flight -= 1
            self._sweep()

    def material(self) -> Material:
        """Our certificate and key, looked at every IDENTITY_CHECK s; a renewal retires every
        channel."""
        now = time.monotonic()
        material = self._material
        if material is None or now - self._checked >= IDENTITY_CHECK:
            loaded = self.identity.load()
            self._checked = now
            if loaded != material:
                # a renewed certificate: new calls open new connections that present it
                self._retired.extend(self._live.values())
                self._live.clear()
                self._material = material = loaded
        return material

    def _acquire(self, address: str, timeout: float, server_name: str | None) -> _Entry:
        material = self.material()
        entry = self._live.get(address)
        if entry is None:
            options = list(self.options)
            if server_name:
                options.append(("grpc.ssl_target_name_override", server_name))
            # no interceptors: the client traces each call itself (tracing.RpcSpan)
            channel = grpc.aio.secure_channel(address, channel_credentials(material),
                                              options=options)
            entry = self._live[address] = _Entry(channel)
        entry.in_flight += 1
        entry.deadline = max(entry.deadline, time.monotonic() + timeout)
        self._sweep()
        return entry

    def retain(self, owner: str, addresses: set[str]) -> None:
        """`owner` lists `addresses` now; channels no client lists are retired."""
        self._listed[owner] = frozenset(addresses)
        listed = frozenset().union(*self._listed.values())
        for address in [a for a in self._live if a not in listed]:
            self._retired.append(self._live.pop(address))
        self._sweep()

    def _sweep(self) -> None:
        if not self._retired:
            return
        now = time.monotonic()
        keep = []
        for entry in self._retired:
            if entry.in_flight <= 0 or now > entry.deadline + DRAIN_MARGIN:
                self._close_later(entry.channel)
            else:
                keep.append(entry)
        self._retired = keep

    def _close_later(self, channel: grpc.aio.Channel) -> None:
        # the call whose end retired the channel does not wait for its closing
        task = asyncio.get_running_loop().create_task(channel.close())
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    @staticmethod
    async def ready(channel: grpc.aio.Channel, wait: float) -> bool:
        """Whether `channel` is (or within `wait` s becomes) connected: a call on it is sent."""
        if channel.get_state(try_to_connect=True) == grpc.ChannelConnectivity.READY:
            return True  # the usual case, without a timer
        try:
            await asyncio.wait_for(channel.channel_ready(), wait)
            return True
        except TimeoutError:
            return False

    def open_channels(self) -> tuple[set[str], int]:
        """The addresses with a live channel, and how many retired channels still drain."""
        return set(self._live), len(self._retired)

    async def close(self) -> None:
        """Close every channel (the process is stopping: its calls have ended)."""
        entries = [*self._live.values(), *self._retired]
        self._live.clear()
        self._retired.clear()
        await asyncio.gather(*(entry.channel.close() for entry in entries), *self._closing)


class _Ended(grpc.RpcError, grpc.Call):  # type: ignore[misc]
    """How an aio call ended, as the `grpc.Call` that `from_rpc_error` and `write_error` read.

    grpc.aio raises `AioRpcError`, which has the same accessors but is no `grpc.Call`; and a
    call whose channel is closed under it raises `asyncio.CancelledError`, where a sync call
    ended CANCELLED.
    """

    def __init__(self, code: grpc.StatusCode, details: str,
                 trailing: tuple[tuple[str, str | bytes], ...] = ()) -> None:
        super().__init__(details)
        self._code, self._details, self._trailing = code, details, trailing

    @classmethod
    def of(cls, exc: grpc.aio.AioRpcError) -> _Ended:
        """The end of the call that raised `exc`."""
        return cls(exc.code(), exc.details() or "", tuple(exc.trailing_metadata() or ()))

    def code(self) -> grpc.StatusCode:
        return self._code

    def details(self) -> str:
        return self._details

    def trailing_metadata(self) -> tuple[tuple[str, str | bytes], ...]:
        return self._trailing

    def initial_metadata(self) -> tuple[tuple[str, str | bytes], ...]:
        return ()

    # the rest of grpc.Call (grpc.RpcContext): the call is over
    def is_active(self) -> bool:
        return False

    def time_remaining(self) -> float | None:
        return None

    def cancel(self) -> bool:
        return False

    def add_callback(self, callback: Callable[[], None]) -> bool:
        return False


def _from_service(exc: grpc.RpcError) -> bool:
    """Whether the service itself ended the call with one of dytt's codes."""
    trailing = exc.trailing_metadata() if isinstance(exc, grpc.Call) else None
    return any(key == CODE_KEY for key, _ in trailing or ())


def write_error(exc: grpc.RpcError) -> AppError:
    """The error of a write whose call was sent: doubtful unless the service said what it was."""
    code = exc.code() if isinstance(exc, grpc.Call) else grpc.StatusCode.UNKNOWN
    if code in _DOUBTFUL and not _from_service(exc):
        return AppError(Code.OUTCOME_UNKNOWN)
    return from_rpc_error(exc)


class ServiceClient:
    """Calls methods of one service on its instances, round-robin."""

    def __init__(self, discovery: Discovery, pool: ChannelPool,
                 stub_factory: Callable[[grpc.aio.Channel], Any], timeout: float = 5.0,
                 attempts: int = 3, read_budget: float | None = None,
                 grpc_name: str | None = None) -> None:
        self.discovery = discovery
        self.pool = pool
        self.stub_factory = stub_factory
        # the service's full name in the proto (its calls' span names); the registry's else
        self.grpc_name = grpc_name or discovery.service
        self.timeout = timeout
        self.attempts = attempts
        # how long a read keeps being retried while the service is unavailable (a database or
        # instance restart); each attempt still has its own deadline
        self.read_budget = read_budget if read_budget is not None else 2 * timeout
        self._seen_generation = -1

    def _prune(self) -> None:
        generation = self.discovery.generation
        if generation != self._seen_generation:
            self._seen_generation = generation
            self.pool.retain(self.discovery.service,
                             {i.address for i in self.discovery.instances()})

    async def call(self, method: str, request: Any, *, token: str | None = None,
                   idempotent: bool = False, timeout: float | None = None) -> Any:
        """Invoke `method`; a read is retried elsewhere, a write is sent at most once."""
        self._prune()
        metadata = (("authorization", f"Bearer {token}"),) if token else ()
        timeout = timeout or self.timeout
        if idempotent:
            return await self._read(method, request, metadata, timeout)
        return await self._write(method, request, metadata, timeout)

    async def _invoke(self, channel: grpc.aio.Channel, method: str, request: Any,
                      metadata: tuple[tuple[str, str], ...], timeout: float) -> Any:
        span = RpcSpan(f"/{self.grpc_name}/{method}")
        code, details = grpc.StatusCode.UNKNOWN, "the call failed in the client"
        try:
            reply = await getattr(self.stub_factory(channel), method)(
                request, timeout=timeout, metadata=span.headers(metadata))
            code = grpc.StatusCode.OK
            return reply
        except grpc.aio.AioRpcError as exc:
            code, details = exc.code(), exc.details() or ""
            raise _Ended.of(exc) from exc
        except asyncio.CancelledError:
            code, details = grpc.StatusCode.CANCELLED, "cancelled"
            task = asyncio.current_task()
            if task is not None and task.cancelling():
                raise  # the request itself is being cancelled: nothing to weigh
            # grpc cancelled the call itself: the pool closed its channel under it (the drain
            # margin passed, or the process is stopping)
            raise _Ended(grpc.StatusCode.CANCELLED, "the channel closed under the call") from None
        finally:
            span.end(code, details)

    async def _read(self, method: str, request: Any, metadata: tuple[tuple[str, str], ...],
                    timeout: float) -> Any:
        give_up = time.monotonic() + self.read_budget
        tried: set[str] = set()
        delay = 0.05
        last: AppError | None = None
        while True:
            try:
                instance = self.discovery.pick(exclude=frozenset(tried))
            except AppError:
                if not tried:
                    raise
                # every instance had its turn: start over after a pause (a restart, a blip)
                tried.clear()
                instance = None
            if instance is not None:
                tried.add(instance.address)
                with self.pool.lease(instance.address, timeout,
                                     self.discovery.service) as channel:
                    try:
                        return await self._invoke(channel, method, request, metadata,
                                                  timeout)
                    except grpc.RpcError as exc:
                        last = from_rpc_error(exc)
                        if last.code == Code.OUTCOME_UNKNOWN:
                            # a read changes nothing: a connection lost at its COMMIT is only
                            # a failed try
                            last = AppError(Code.UNAVAILABLE)
                        if exc.code() not in RETRYABLE_READ and last.code != Code.UNAVAILABLE:
                            raise last from exc
                        log.warning("%s.%s failed with %s at %s; retrying",
                                    self.discovery.service, method, exc.code().name,
                                    instance.address)
                if any(i.address not in tried for i in self.discovery.instances()):
                    continue
            if time.monotonic() + delay >= give_up:
                raise last or AppError(Code.UNAVAILABLE)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 1.0)
            tried.clear()

    async def _write(self, method: str, request: Any,
                     metadata: tuple[tuple[str, str], ...], timeout: float) -> Any:
        tried: set[str] = set()
        for _ in range(self.attempts):
            try:
                instance = self.discovery.pick(exclude=frozenset(tried))
            except AppError:
                break
            tried.add(instance.address)
            with self.pool.lease(instance.address, timeout,
                                 self.discovery.service) as channel:
                if not await self.pool.ready(channel, min(CONNECT_WAIT, timeout)):
                    # never sent: another instance may take it with no doubt about the outcome
                    log.warning("%s unreachable at %s", self.discovery.service, instance.address)
                    continue
                try:
                    return await self._invoke(channel, method, request, metadata, timeout)
                except grpc.RpcError as exc:
                    raise write_error(exc) from exc
        raise AppError(Code.UNAVAILABLE)
