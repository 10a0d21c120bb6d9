"""Live service registrations: an etcd snapshot, then every change, resynced on reconnect.

`RegistryWatcher.watch` runs in a worker thread. It reads the prefix, hands the UI a
`RegistrySnapshot`, then watches from the next revision, so nothing between the read and the
watch is missed. When the watch breaks it reports `RegistryLost`, waits (with backoff) and starts
over with a fresh snapshot, which replaces the UI's state: events lost while away do not matter.
`RegistryState` is the UI side: the pure fold of those updates.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import suppress

import etcd3

from dyttctl.cockpit.errors import translated
from dyttctl.cockpit.models import (
    Registration,
    RegistrationEvent,
    RegistryLost,
    RegistrySnapshot,
    RegistryUpdate,
)
from services.mesh import registry
from services.mesh.registry import Change, Entry, connect

Connect = Callable[[list[tuple[str, int]]], etcd3.Etcd3Client]


def parse_registration(key: str, raw: bytes | None) -> Registration | None:
    """The registration under `key`; None for a key outside `/dytt/services/<svc>/<inst>`."""
    found = registry.entry(key, raw)
    return None if found is None else _registration(found)


def _registration(entry: Entry) -> Registration:
    doc = entry.value

    def text(name: str) -> str | None:
        value = doc.get(name)
        return str(value) if value is not None else None

    pid, started = doc.get("pid"), doc.get("started_at")
    return Registration(
        service=entry.service, instance=entry.instance, address=text("address"),
        pid=pid if isinstance(pid, int) else None, version=text("version"),
        identity=text("identity"),
        started_at=float(started) if isinstance(started, (int, float)) else None,
    )


class RegistryState:
    """What the UI knows of the registry: the current registrations and the watch's health."""

    def __init__(self) -> None:
        self._by_key: dict[tuple[str, str], Registration] = {}
        self.connected = False
        self.revision: int | None = None
        self.error: str | None = None
        self.last_event: RegistrationEvent | None = None

    def apply(self, update: RegistryUpdate) -> None:
        """Fold one update into the state."""
        if isinstance(update, RegistrySnapshot):
            self._by_key = {r.key: r for r in update.registrations}
            self.connected, self.error, self.revision = True, None, update.revision
        elif isinstance(update, RegistrationEvent):
            if update.action == "deregistered":
                self._by_key.pop(update.registration.key, None)
            else:
                self._by_key[update.registration.key] = update.registration
            self.revision, self.last_event = update.revision, update
        else:
            # keep showing the last known registrations, flagged as possibly stale
            self.connected, self.error = False, update.reason

    def registrations(self) -> list[Registration]:
        """Every registration, by service then instance."""
        return [self._by_key[k] for k in sorted(self._by_key)]


class RegistryWatcher:
    """Reads and watches `/dytt/services/` in one etcd."""

    def __init__(self, endpoints: list[tuple[str, int]], connector: Connect = connect,
                 retry_min: float = 0.5, retry_max: float = 5.0, check_every: float = 0.5) -> None:
        self.endpoints = endpoints
        self._connect = connector
        self.retry_min = retry_min
        self.retry_max = retry_max
        # how often a watching thread looks at the stop event (the watch itself is pushed)
        self.check_every = check_every

    def _read(self, client: etcd3.Etcd3Client) -> RegistrySnapshot:
        entries, revision = registry.read(client)
        return RegistrySnapshot(tuple(_registration(e) for e in entries), revision)

    def snapshot(self) -> RegistrySnapshot:
        """The registrations now."""
        with translated("etcd"):
            client = self._connect(self.endpoints)
            try:
                return self._read(client)
            finally:
                client.close()

    def watch(self, callback: Callable[[RegistryUpdate], None], stop: threading.Event) -> None:
        """Report a snapshot and then every change to `callback` until `stop` is set."""
        delay = self.retry_min
        while not stop.is_set():
            client = None
            try:
                client = self._connect(self.endpoints)
                snapshot = self._read(client)
                callback(snapshot)
                delay = self.retry_min
                reason = self._follow(client, snapshot, callback, stop)
            except Exception as exc:  # whatever etcd or grpc raise, the answer is to reconnect
                reason = f"etcd unreachable ({type(exc).__name__})"
            finally:
                if client is not None:
                    # a half-dead channel may fail to close; it is dropped either way
                    with suppress(Exception):
                        client.close()
            if reason is None or stop.is_set():
                return
            callback(RegistryLost(reason))
            if stop.wait(delay):
                return
            delay = min(delay * 2, self.retry_max)

    def _follow(self, client: etcd3.Etcd3Client, snapshot: RegistrySnapshot,
                callback: Callable[[RegistryUpdate], None], stop: threading.Event) -> str | None:
        """Forward events until the watch breaks (its reason) or `stop` is set (None)."""
        # a delete carries no value: keep the last one so the UI can say who left
        known = {r.key: r for r in snapshot.registrations}
        broken = threading.Event()
        failure: list[str] = []

        def on_changes(changes: list[Change], revision: int) -> None:
            # runs on etcd3's watcher thread
            for change in changes:
                callback(_event(change, known, revision))

        def on_error(exc: Exception) -> None:
            # the stream ended
            failure.append(f"lost the etcd watch ({type(exc).__name__})")
            broken.set()

        cancel = registry.watch_callback(client, snapshot.revision + 1, on_changes, on_error)
        try:
            while not broken.wait(self.check_every):
                if stop.is_set():
                    return None
        finally:
            with suppress(Exception):  # the stream may be gone already
                cancel()
        return failure[0] if failure else "lost the etcd watch"


def _event(change: Change, known: dict[tuple[str, str], Registration],
           revision: int) -> RegistrationEvent:
    registration = _registration(change.entry)
    if change.deleted:
        return RegistrationEvent("deregistered", known.pop(registration.key, registration),
                                 revision)
    action = "registered" if registration.key not in known else "updated"
    known[registration.key] = registration
    return RegistrationEvent(action, registration, revision)
