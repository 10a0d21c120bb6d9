"""The cockpit: everything the TUI's workers ask of the stack, behind one object.

Every method may block (files, sockets, subprocesses) and is meant for a worker thread; each
raises only `CockpitError`. `CockpitApi` is the surface the TUI depends on, so tests can hand
the app a fake; `Cockpit` is the real one, built from a `StackContext`, with every
collaborator injectable.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol

from dyttctl.cockpit.components import (
    ProcessSampler,
    build_rows,
    cert_days_left,
    cert_renewals,
    component_pids,
)
from dyttctl.cockpit.control import DefaultControl, StackControl
from dyttctl.cockpit.errors import CockpitError, translated
from dyttctl.cockpit.logs import LogPoller
from dyttctl.cockpit.models import (
    ComponentRow,
    Registration,
    RegistryUpdate,
    TraceKind,
    TraceView,
)
from dyttctl.cockpit.registry import RegistryWatcher
from dyttctl.cockpit.status import PROBE_EVERY, StatusCache
from dyttctl.cockpit.traces import TraceSource, fetch_traces, trace_view
from pki import ops
from pki.errors import PkiError
from pki.inspect import CertInfo
from stack import logs as stack_logs
from stack.credentials import pki_store
from stack.orchestrator import ComponentStatus
from stack.readiness import etcd_endpoints
from stack.state import StackContext
from stack.supervisor.control import stack_status
from stack.supervisor.renewal import configured_lifetime
from stack.zipkin import TraceSummary, zipkin_client

# how far back the logs panel starts when it opens
BACKLOG_WINDOW = timedelta(minutes=15)


CERTS_EVERY = 30.0  # seconds between two reads of the certificates


class CockpitApi(Protocol):
    """What the TUI asks of the stack."""

    @property
    def control(self) -> StackControl:
        """The actions: restart, stop, start, scale, rotate a certificate."""
        ...

    def component_names(self) -> list[str]:
        """The components of the stack definition, in start order (no I/O)."""
        ...

    def components(self) -> list[ComponentRow]:
        """One row per component: state, health, usage, certificate age (meant to be called
        every couple of seconds; costly health probes are rate-limited inside)."""
        ...

    def registrations(self) -> list[Registration]:
        """The service instances registered in etcd now."""
        ...

    def watch_registrations(self, callback: Callable[[RegistryUpdate], None],
                            stop: threading.Event) -> None:
        """Report a snapshot then every change until `stop` is set; resync on reconnect."""
        ...

    def log_follower(self) -> LogPoller:
        """A poller of new lines of every component's logs, from now on."""
        ...

    def log_backlog(self, limit: int) -> list[stack_logs.LogLine]:
        """The last `limit` lines written in the last minutes, oldest first."""
        ...

    def recent_traces(self, kind: TraceKind, limit: int = 50) -> list[TraceSummary]:
        """Recent, slowest or failed traces from Zipkin."""
        ...

    def trace(self, trace_id: str) -> TraceView:
        """One trace's spans, ready for a waterfall."""
        ...


class Cockpit:
    """The real cockpit of a stack."""

    def __init__(
        self,
        ctx: StackContext,
        *,
        status: Callable[[StackContext], list[ComponentStatus]] = stack_status,
        probe_every: float = PROBE_EVERY,
        sampler: ProcessSampler | None = None,
        certs: Callable[[], list[CertInfo]] | None = None,
        registry: RegistryWatcher | None = None,
        zipkin: TraceSource | None = None,
        control: StackControl | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.ctx = ctx
        # the full probe is costly; a cache re-runs it only when due or when a process changed
        self._statuses = StatusCache(ctx, status=status, probe_every=probe_every)
        self._sampler = sampler or ProcessSampler()
        self._certs = certs or (lambda: ops.list_certs(pki_store(ctx)))
        # (read at, the certificates directory's mtime then, what was read)
        self._cert_cache: tuple[float, int | None, list[CertInfo]] | None = None
        self._registry = registry
        self._zipkin = zipkin
        self._control = control or DefaultControl(ctx)
        self._now = now

    @property
    def control(self) -> StackControl:
        return self._control

    def component_names(self) -> list[str]:
        return [c.name for c in self.ctx.definition.select(None)]

    def _certs_stamp(self) -> int | None:
        try:
            return pki_store(self.ctx).certs_dir.stat().st_mtime_ns
        except OSError:
            return None

    def _cert_infos(self) -> list[CertInfo]:
        # certificates change on rotation and renewal only: reading and parsing them every
        # refresh was a tenth of the dashboard's idle CPU; a renewal replaces files in the
        # certificates directory, which changes its mtime
        now, stamp = time.monotonic(), self._certs_stamp()
        cached = self._cert_cache
        if cached is None or now - cached[0] > CERTS_EVERY or stamp != cached[1]:
            self._cert_cache = cached = (now, stamp, self._certs())
        return cached[2]

    def _cert_days(self) -> tuple[dict[str, float], dict[str, float]]:
        infos = self._cert_infos()
        renews = cert_renewals(infos, configured_lifetime(self.ctx), self._now())
        return cert_days_left(infos), renews

    def components(self) -> list[ComponentRow]:
        with translated("status"):
            statuses = self._statuses.get()
        usage = self._sampler.sample({s.name: component_pids(s) for s in statuses})
        try:
            days, renews = self._cert_days()
        except (PkiError, OSError):
            # an unreadable PKI store must not hide the components; the certs command explains
            days, renews = {}, {}
        return build_rows(statuses, usage, days, renews)

    @property
    def registry(self) -> RegistryWatcher:
        """The watcher of the stack's etcd (built on first use)."""
        if self._registry is None:
            if "etcd" not in self.ctx.definition.components:
                raise CockpitError("the stack definition has no etcd component")
            self._registry = RegistryWatcher(etcd_endpoints(self.ctx))
        return self._registry

    def registrations(self) -> list[Registration]:
        return list(self.registry.snapshot().registrations)

    def watch_registrations(self, callback: Callable[[RegistryUpdate], None],
                            stop: threading.Event) -> None:
        self.registry.watch(callback, stop)

    def log_follower(self) -> LogPoller:
        with translated("logs"):
            return stack_logs.Follower(self.ctx.log_dir, self.component_names(),
                                       stack_logs.Filter())

    def log_backlog(self, limit: int) -> list[stack_logs.LogLine]:
        since = stack_logs.Filter(since=self._now() - BACKLOG_WINDOW)
        with translated("logs"):
            lines = stack_logs.read(self.ctx.log_dir, self.component_names(), since)
        return lines[-limit:] if limit > 0 else []

    @property
    def zipkin(self) -> TraceSource:
        """The stack's Zipkin client (built on first use)."""
        if self._zipkin is None:
            with translated("zipkin"):
                self._zipkin = zipkin_client(self.ctx)
        return self._zipkin

    def recent_traces(self, kind: TraceKind, limit: int = 50) -> list[TraceSummary]:
        with translated("zipkin"):
            return fetch_traces(self.zipkin, kind, limit)

    def trace(self, trace_id: str) -> TraceView:
        with translated("zipkin"):
            return trace_view(self.zipkin, trace_id)
