"""Service registration in etcd: `/dytt/services/<name>/<instance>` bound to a kept-alive lease.

The key disappears within the lease TTL when the process dies. A keep-alive thread renews the
lease and registers again (new lease, same key) when etcd lost it, e.g. after a restart.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from dataclasses import asdict, dataclass

import etcd3

log = logging.getLogger(__name__)

PREFIX = "/dytt/services/"


def service_prefix(service: str) -> str:
    """The etcd prefix under which the instances of `service` register."""
    return f"{PREFIX}{service}/"


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

    def start(self, wait: float = 10.0) -> None:
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


def instance_info(name: str, instance_id: str, address: str, version: str, identity: str,
                  kind: str = "grpc") -> InstanceInfo:
    """The registration of this process."""
    return InstanceInfo(name, instance_id, address, os.getpid(), version, time.time(), identity,
                        kind)
