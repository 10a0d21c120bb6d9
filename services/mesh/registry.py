"""The service registry in etcd: its key layout, reading, watching, and registering.

An instance registers under `/dytt/services/<name>/<instance>`, its value a JSON `InstanceInfo`,
bound to a kept-alive lease: the key disappears within the lease TTL when the process dies. A
keep-alive thread renews the lease and registers again (new lease, same key) when etcd lost it,
e.g. after a restart. Everything else that knows this layout (discovery, the stack's readiness
and supervisor, `dyttctl watch`, the cockpit) reads it through the functions here.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from typing import Any

import etcd3
from etcd3.events import DeleteEvent, PutEvent

from pki.identity import spiffe_id

log = logging.getLogger(__name__)

PREFIX = "/dytt/services/"


def service_prefix(service: str | None = None) -> str:
    """The etcd prefix under which the instances of `service` (of every service) register."""
    return f"{PREFIX}{service}/" if service else PREFIX


def split_key(key: str) -> tuple[str, str] | None:
    """`/dytt/services/<name>/<instance>` → (name, instance); None for any other key."""
    if not key.startswith(PREFIX):
        return None
    service, _, instance = key[len(PREFIX):].partition("/")
    return (service, instance) if service and instance else None


def format_address(host: str, port: int) -> str:
    """`host:port`, with an IPv6 host in brackets (`[::1]:15001`)."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def decode(raw: bytes | str | None) -> dict[str, Any]:
    """A registration's JSON value; `{}` for anything that is not a JSON object."""
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


@dataclass(frozen=True)
class Entry:
    """One key of the registry and its value, decoded as far as it goes."""

    service: str
    instance: str
    key: str
    value: dict[str, Any]
    raw: bytes | None = None


def entry(key: bytes | str, raw: bytes | None) -> Entry | None:
    """The registry entry under `key`; None for a key outside the layout."""
    text = key.decode() if isinstance(key, bytes) else key
    parts = split_key(text)
    if parts is None:
        return None
    return Entry(parts[0], parts[1], text, decode(raw), raw)


@dataclass(frozen=True)
class Change:
    """One put (`deleted` False; `version` 1 for a new key) or delete in the registry."""

    deleted: bool
    entry: Entry
    version: int = 0


def _change(event: object) -> Change | None:
    # the one place that reads etcd3's event classes
    if isinstance(event, PutEvent):
        found = entry(event.key, event.value)
        return None if found is None else Change(False, found, int(event.version))
    if isinstance(event, DeleteEvent):
        found = entry(event.key, None)
        return None if found is None else Change(True, found)
    return None


@dataclass(frozen=True)
class InstanceInfo:
    """What an instance publishes about itself."""

    name: str
    instance_id: str
    address: str
    pid: int
    version: str
    started_at: float
    identity: str
    kind: str = "grpc"

    @property
    def key(self) -> str:
        return service_prefix(self.name) + self.instance_id

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, raw: bytes | str) -> InstanceInfo:
        return cls(**json.loads(raw))


def connect(endpoints: list[tuple[str, int]], timeout: float = 5.0) -> etcd3.Etcd3Client:
    """A client of the etcd cluster (the first endpoint; the others are failover)."""
    host, port = endpoints[0]
    # grpc shares subchannels process-wide by default: one left in reconnect backoff while etcd
    # was away would fail a brand-new client with the old "connection refused"
    return etcd3.client(host=host, port=port, timeout=timeout,
                        grpc_options=[("grpc.use_local_subchannel_pool", 1)])


def read(client: etcd3.Etcd3Client, service: str | None = None) -> tuple[list[Entry], int]:
    """The entries of `service` (of every service) and the etcd revision they were read at."""
    response = client.get_prefix_response(service_prefix(service))
    found = (entry(kv.key, kv.value) for kv in response.kvs)
    return [e for e in found if e is not None], int(response.header.revision)


def read_instances(endpoints: list[tuple[str, int]], service: str,
                   timeout: float = 2.0) -> list[dict[str, Any]]:
    """The registrations of `service` now, one-shot (raises when etcd does not answer)."""
    client = connect(endpoints, timeout=timeout)
    try:
        return [e.value for e in read(client, service)[0]]
    finally:
        client.close()


def watch(client: etcd3.Etcd3Client, start_revision: int,
          service: str | None = None) -> tuple[Iterator[Change], Callable[[], None]]:
    """The changes from `start_revision` on, and the call that ends them."""
    events, cancel = client.watch_prefix(service_prefix(service), start_revision=start_revision)
    changes = (c for c in (_change(e) for e in events) if c is not None)
    return changes, cancel


def watch_callback(client: etcd3.Etcd3Client, start_revision: int,
                   on_changes: Callable[[list[Change], int], None],
                   on_error: Callable[[Exception], None],
                   service: str | None = None) -> Callable[[], None]:
    """Push the changes from `start_revision` on (with the revision of each response) to
    `on_changes` on etcd3's watcher thread, or the exception that ended the stream to
    `on_error`; returns the call that cancels the watch."""

    def on_response(response: Any) -> None:
        if isinstance(response, Exception):
            on_error(response)
            return
        changes = [c for c in (_change(e) for e in response.events) if c is not None]
        on_changes(changes, int(response.header.revision))

    watch_id = client.add_watch_prefix_callback(service_prefix(service), on_response,
                                                start_revision=start_revision)
    return lambda: client.cancel_watch(watch_id)


def remove_pid(endpoints: list[tuple[str, int]], service: str, pid: int) -> list[str]:
    """Delete the registrations of `service` made by process `pid`; the keys deleted."""
    client = connect(endpoints, timeout=2)
    try:
        gone = []
        for found in read(client, service)[0]:
            if found.value.get("pid") == pid:
                client.delete(found.key)
                gone.append(found.key)
        return gone
    finally:
        client.close()


class Registration:
    """Keeps one instance registered for as long as it runs."""

    def __init__(self, endpoints: list[tuple[str, int]], info: InstanceInfo, ttl: int) -> None:
        self.endpoints = endpoints
        self.info = info
        self.ttl = ttl
        self._client: etcd3.Etcd3Client | None = None
        self._lease: etcd3.Lease | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._keep_alive, name="registry", daemon=True)

    def start(self, wait: float = 30.0) -> None:
        """Register (retrying for up to `wait` s while etcd does not answer), then keep alive."""
        deadline = time.monotonic() + wait
        delay = 0.1
        while True:
            try:
                self._register()
                break
            except Exception:
                self._drop_client()
                if time.monotonic() + delay > deadline:
                    raise
                time.sleep(delay)
                delay = min(delay * 2, 1.0)
        self._thread.start()

    def _register(self) -> None:
        if self._client is None:
            self._client = connect(self.endpoints)
        self._lease = self._client.lease(self.ttl)
        self._client.put(self.info.key, self.info.to_json(), lease=self._lease)
        log.info("registered", extra={"key": self.info.key, "address": self.info.address})

    def _keep_alive(self) -> None:
        interval = max(0.5, self.ttl / 3)
        while not self._stop.wait(interval):
            try:
                if self._lease is None or self._lease_lost():
                    log.warning("lease lost; registering again", extra={"key": self.info.key})
                    self._register()
            except Exception as exc:  # etcd away: keep trying, the key comes back with it
                log.warning("etcd keep-alive failed: %s", exc.__class__.__name__)
                self._drop_client()

    def _lease_lost(self) -> bool:
        assert self._lease is not None
        responses = self._lease.refresh()
        return not responses or responses[0].TTL <= 0

    def _drop_client(self) -> None:
        if self._client is not None:
            try:
                self._client.close()
            except Exception:
                log.debug("closing the etcd client failed", exc_info=True)
        self._client = None
        self._lease = None

    def stop(self, timeout: float = 1.0) -> None:
        """Deregister: stop renewing, delete the key and revoke the lease, within ~`timeout` s.

        Bounded, because a stopping process has a stop timeout to keep even while etcd is slow
        or away; then the lease expires within its TTL instead.
        """
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=0.5)
        try:
            client = connect(self.endpoints, timeout=timeout)
            try:
                client.delete(self.info.key)
                if self._lease is not None:
                    client.revoke_lease(self._lease.id)
            finally:
                client.close()
            log.info("deregistered", extra={"key": self.info.key})
        except Exception as exc:
            log.warning("deregistration failed (%s); the lease will expire", exc)
        self._drop_client()


def instance_info(name: str, instance_id: str, address: str, version: str,
                  identity: str | None = None, kind: str = "grpc") -> InstanceInfo:
    """The registration of this process (its identity defaults to `name`'s SPIFFE id)."""
    return InstanceInfo(name, instance_id, address, os.getpid(), version, time.time(),
                        identity or spiffe_id(name), kind)
