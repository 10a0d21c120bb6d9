"""Registrations: parsing, the UI's state, and the watcher's resync against a fake etcd."""

from __future__ import annotations

import json
import threading
from types import SimpleNamespace
from typing import Any

import pytest
from etcd3.etcdrpc import kv_pb2
from etcd3.events import new_event
from etcd3.exceptions import ConnectionFailedError

from dyttctl.cockpit import (
    Registration,
    RegistrationEvent,
    RegistryLost,
    RegistrySnapshot,
    RegistryState,
    RegistryUpdate,
    RegistryWatcher,
)
from dyttctl.cockpit.registry import parse_registration

KEY = "/dytt/services/user/3f2a9c0d1e7b"


def value(port: int = 15001, pid: int = 42) -> bytes:
    return json.dumps({"name": "user", "instance_id": "x", "address": f"127.0.0.1:{port}",
                       "pid": pid, "version": "0.1.0", "started_at": 100.5,
                       "identity": "spiffe://dytt/user", "kind": "grpc"}).encode()


def test_parse_registration_reads_the_json_and_tolerates_junk() -> None:
    reg = parse_registration(KEY, value())
    assert reg == Registration("user", "3f2a9c0d1e7b", "127.0.0.1:15001", 42, "0.1.0",
                               "spiffe://dytt/user", 100.5)
    assert parse_registration(KEY, b"not json") == Registration("user", "3f2a9c0d1e7b")
    assert parse_registration(KEY, b"[1, 2]") == Registration("user", "3f2a9c0d1e7b")
    assert parse_registration(KEY, b'{"pid": "42"}') == Registration("user", "3f2a9c0d1e7b")
    assert parse_registration("/dytt/services/user", value()) is None
    assert parse_registration("/other/user/x", value()) is None


def test_state_folds_snapshots_events_and_lost_watches() -> None:
    a, b = Registration("user", "a"), Registration("user", "b")
    state = RegistryState()
    assert not state.connected
    state.apply(RegistrySnapshot((b, a), revision=10))
    assert state.registrations() == [a, b] and state.connected and state.revision == 10
    state.apply(RegistrationEvent("registered", Registration("feed", "c"), 11))
    state.apply(RegistrationEvent("deregistered", a, 12))
    assert [r.key for r in state.registrations()] == [("feed", "c"), ("user", "b")]
    assert state.last_event and state.last_event.action == "deregistered"
    state.apply(RegistryLost("etcd unreachable"))
    assert not state.connected and state.error == "etcd unreachable"
    assert len(state.registrations()) == 2  # the last known, until the resync says otherwise
    state.apply(RegistrySnapshot((a,), revision=30))
    assert state.registrations() == [a] and state.connected and state.error is None


def put(key: str, raw: bytes) -> Any:
    return new_event(kv_pb2.Event(type=kv_pb2.Event.PUT, kv=kv_pb2.KeyValue(key=key.encode(),
                                                                           value=raw)))


def delete(key: str) -> Any:
    return new_event(kv_pb2.Event(type=kv_pb2.Event.DELETE,
                                  kv=kv_pb2.KeyValue(key=key.encode())))


class FakeEtcd:
    """Just what the watcher calls; `script` is what the watch delivers once it starts."""

    def __init__(self, kvs: dict[str, bytes], revision: int, script: list[Any]) -> None:
        self.kvs, self.revision, self.script = kvs, revision, script
        self.watch_from: int | None = None
        self.cancelled = self.closed = False

    def get_prefix_response(self, prefix: str) -> Any:
        kvs = [SimpleNamespace(key=k.encode(), value=v) for k, v in self.kvs.items()]
        return SimpleNamespace(kvs=kvs, header=SimpleNamespace(revision=self.revision))

    def add_watch_prefix_callback(self, prefix: str, callback: Any, start_revision: int) -> int:
        self.watch_from = start_revision
        # etcd3 calls back on its own thread
        threading.Thread(target=lambda: [callback(item) for item in self.script]).start()
        return 1

    def cancel_watch(self, watch_id: int) -> None:
        self.cancelled = True

    def close(self) -> None:
        self.closed = True


def response(revision: int, *events: Any) -> Any:
    return SimpleNamespace(header=SimpleNamespace(revision=revision), events=list(events))


def run_watch(clients: list[Any], until: int) -> tuple[list[RegistryUpdate], list[Any]]:
    """Watch with clients handed out in order; stop after `until` updates."""
    updates: list[RegistryUpdate] = []
    stop = threading.Event()
    handed: list[Any] = []

    def connector(_endpoints: list[tuple[str, int]]) -> Any:
        client = clients[min(len(handed), len(clients) - 1)]
        handed.append(client)
        if isinstance(client, Exception):
            raise client
        return client

    def record(update: RegistryUpdate) -> None:
        updates.append(update)
        if len(updates) >= until:
            stop.set()

    watcher = RegistryWatcher([("127.0.0.1", 1)], connector, retry_min=0.01, retry_max=0.02,
                              check_every=0.01)
    thread = threading.Thread(target=watcher.watch, args=(record, stop))
    thread.start()
    thread.join(timeout=5)
    assert not thread.is_alive(), "the watch did not stop"
    return updates, handed


def test_watch_reports_snapshot_then_events_and_resyncs_after_a_break() -> None:
    other = "/dytt/services/user/8e1d2c3b4a59"
    first = FakeEtcd({KEY: value()}, revision=7, script=[
        response(8, put(other, value(15011, 43))),
        response(9, put(other, value(15012, 43)), delete(KEY)),
        ConnectionFailedError(),
    ])
    second = FakeEtcd({other: value(15012, 43)}, revision=20, script=[])
    updates, handed = run_watch([first, second], until=6)

    snapshot, registered, updated, gone, lost, resync = updates
    assert isinstance(snapshot, RegistrySnapshot) and snapshot.revision == 7
    assert first.watch_from == 8  # nothing between the read and the watch is missed
    assert isinstance(registered, RegistrationEvent) and registered.action == "registered"
    assert registered.registration.address == "127.0.0.1:15011"
    assert isinstance(updated, RegistrationEvent) and updated.action == "updated"
    assert isinstance(gone, RegistrationEvent) and gone.action == "deregistered"
    assert gone.registration.address == "127.0.0.1:15001"  # the last value, for the operator
    assert isinstance(lost, RegistryLost) and "ConnectionFailedError" in lost.reason
    assert isinstance(resync, RegistrySnapshot) and resync.revision == 20
    assert [r.instance for r in resync.registrations] == ["8e1d2c3b4a59"]
    assert first.cancelled and first.closed and handed[:2] == [first, second]


def test_watch_retries_while_etcd_is_unreachable() -> None:
    ok = FakeEtcd({}, revision=3, script=[])
    updates, _ = run_watch([ConnectionFailedError(), ConnectionFailedError(), ok], until=3)
    assert [type(u) for u in updates] == [RegistryLost, RegistryLost, RegistrySnapshot]


def test_watch_returns_promptly_when_stopped() -> None:
    quiet = FakeEtcd({}, revision=1, script=[])
    stop = threading.Event()
    watcher = RegistryWatcher([("127.0.0.1", 1)], lambda _e: quiet, check_every=0.01)
    thread = threading.Thread(target=watcher.watch, args=(lambda _u: stop.set(), stop))
    thread.start()
    thread.join(timeout=2)
    assert not thread.is_alive()
    assert quiet.cancelled and quiet.closed


@pytest.mark.parametrize("junk", ["/dytt/services/", "/dytt/services/only-service"])
def test_watch_ignores_keys_that_are_not_registrations(junk: str) -> None:
    client = FakeEtcd({}, revision=1, script=[response(2, put(junk, b"{}"), put(KEY, value()))])
    updates, _ = run_watch([client], until=2)
    assert isinstance(updates[1], RegistrationEvent)
    assert updates[1].registration.instance == "3f2a9c0d1e7b"
