"""Client-side discovery: the live instances of a service, from etcd, kept current by a watch.

Loads the prefix, then watches it from the next revision; after a compaction or a lost
connection it loads again. While etcd is unreachable the last known instances stay in use.
"""

from __future__ import annotations

import itertools
import logging
import threading

from services.mesh import registry
from services.mesh.errors import AppError, Code
from services.mesh.registry import Entry, InstanceInfo

log = logging.getLogger(__name__)


class Discovery:
    """The instances of one service, in registration order, with round-robin picking."""

    def __init__(self, endpoints: list[tuple[str, int]], service: str) -> None:
        self.endpoints = endpoints
        self.service = service
        self.prefix = registry.service_prefix(service)
        self._instances: dict[str, InstanceInfo] = {}
        # bumped on every change of the instance set, so clients can tell cheaply
        self.generation = 0
        self._lock = threading.Lock()
        self._counter = itertools.count()
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._cancel: object = None
        self._thread = threading.Thread(
            target=self._run, name=f"discovery-{service}", daemon=True
        )

    def start(self, wait: float = 5.0) -> Discovery:
        """Start following etcd; waits up to `wait` s for the first load."""
        self._thread.start()
        self._ready.wait(wait)
        return self

    def instances(self) -> list[InstanceInfo]:
        """The instances known now."""
        with self._lock:
            return list(self._instances.values())

    def pick(self, exclude: frozenset[str] = frozenset()) -> InstanceInfo:
        """The next instance in round-robin order, skipping addresses in `exclude`."""
        candidates = [i for i in self.instances() if i.address not in exclude]
        if not candidates:
            raise AppError(Code.UNAVAILABLE, f"no instance of {self.service} is available")
        return candidates[next(self._counter) % len(candidates)]

    def stop(self) -> None:
        """Stop following etcd."""
        self._stop.set()
        cancel = self._cancel
        if callable(cancel):
            try:
                cancel()
            except Exception:
                log.debug("cancelling the watch failed", exc_info=True)

    def _run(self) -> None:
        backoff = 0.2
        while not self._stop.is_set():
            client = None
            try:
                client = registry.connect(self.endpoints)
                revision = self._load(client)
                self._ready.set()
                backoff = 0.2
                changes, self._cancel = registry.watch(client, revision + 1, self.service)
                for change in changes:
                    self._apply(change)
                    if self._stop.is_set():
                        break
            except Exception as exc:  # lost etcd or compacted: keep what we know, load again
                if not self._stop.is_set():
                    log.warning("discovery of %s: %s; retrying", self.service,
                                exc.__class__.__name__)
                self._ready.set()
                self._stop.wait(backoff)
                backoff = min(backoff * 2, 5.0)
            finally:
                if client is not None:
                    try:
                        client.close()
                    except Exception:
                        log.debug("closing the etcd client failed", exc_info=True)

    def _load(self, client: object) -> int:
        entries, revision = registry.read(client, self.service)  # type: ignore[arg-type]
        found: dict[str, InstanceInfo] = {}
        for entry in entries:
            info = self._parse(entry)
            if info is not None:
                found[entry.key] = info
        with self._lock:
            self._instances = found
            self.generation += 1
        return revision

    def _apply(self, change: registry.Change) -> None:
        key = change.entry.key
        if change.deleted:
            with self._lock:
                self._instances.pop(key, None)
                self.generation += 1
            return
        info = self._parse(change.entry)
        if info is not None:
            with self._lock:
                self._instances[key] = info
                self.generation += 1

    def _parse(self, entry: Entry) -> InstanceInfo | None:
        try:
            return InstanceInfo(**entry.value)
        except TypeError:
            log.warning("ignoring a malformed registration under %s", self.prefix)
            return None
