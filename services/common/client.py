"""Calling a service: discovery, one mTLS channel per instance, deadlines, safe retries."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any, TypeVar

import grpc

from services.common.discovery import Discovery
from services.common.errors import AppError, Code, from_rpc_error
from services.common.tls import IdentityFiles, Material, channel_credentials
from services.common.tracing import traced_channel

log = logging.getLogger(__name__)

Stub = TypeVar("Stub")


class ChannelPool:
    """One secure channel per instance address; rebuilt when our certificate is rotated."""

    def __init__(self, identity: IdentityFiles, options: list[tuple[str, Any]] | None = None):
        self.identity = identity
        self.options = options or [
            ("grpc.keepalive_time_ms", 30_000),
            ("grpc.max_receive_message_length", 64 * 1024 * 1024),
        ]
        self._lock = threading.Lock()
        self._material: Material | None = None
        self._channels: dict[str, grpc.Channel] = {}

    def get(self, address: str) -> grpc.Channel:
        """The channel to `address`, created on first use."""
        with self._lock:
            material = self.identity.load()
            if material != self._material:
                # new certificate: new connections present it, old channels drain away
                self._close_all()
                self._material = material
            channel = self._channels.get(address)
            if channel is None:
                channel = traced_channel(grpc.secure_channel(
                    address, channel_credentials(material), options=self.options
                ))
                self._channels[address] = channel
            return channel

    def retain(self, addresses: set[str]) -> None:
        """Close channels of instances that are gone."""
        with self._lock:
            for address in list(self._channels):
                if address not in addresses:
                    self._channels.pop(address).close()

    def _close_all(self) -> None:
        for channel in self._channels.values():
            channel.close()
        self._channels.clear()

    def close(self) -> None:
        """Close every channel."""
        with self._lock:
            self._close_all()


class ServiceClient:
    """Calls methods of one service on its instances, round-robin."""

    def __init__(self, discovery: Discovery, pool: ChannelPool,
                 stub_factory: Callable[[grpc.Channel], Any], timeout: float = 5.0,
                 attempts: int = 3) -> None:
        self.discovery = discovery
        self.pool = pool
        self.stub_factory = stub_factory
        self.timeout = timeout
        self.attempts = attempts
        self._seen_generation = -1

    def _prune(self) -> None:
        # channels of instances that left the registry are closed, not kept reconnecting
        generation = self.discovery.generation
        if generation != self._seen_generation:
            self._seen_generation = generation
            self.pool.retain({i.address for i in self.discovery.instances()})

    def call(self, method: str, request: Any, *, token: str | None = None,
             idempotent: bool = False, timeout: float | None = None) -> Any:
        """Invoke `method`; retries on another instance only for idempotent calls."""
        self._prune()
        metadata = (("authorization", f"Bearer {token}"),) if token else ()
        tried: set[str] = set()
        last: AppError | None = None
        for _ in range(self.attempts if idempotent else 1):
            instance = self.discovery.pick(exclude=frozenset(tried))
            tried.add(instance.address)
            stub = self.stub_factory(self.pool.get(instance.address))
            try:
                return getattr(stub, method)(
                    request, timeout=timeout or self.timeout, metadata=metadata
                )
            except grpc.RpcError as exc:
                last = from_rpc_error(exc)
                if exc.code() != grpc.StatusCode.UNAVAILABLE:
                    raise last from exc
                log.warning("%s unavailable at %s", self.discovery.service, instance.address)
                # untried instances left? (not a count: the failed one may have left the
                # registry meanwhile, and the others must still get their turn)
                if all(i.address in tried for i in self.discovery.instances()):
                    break
        raise last or AppError(Code.UNAVAILABLE)
