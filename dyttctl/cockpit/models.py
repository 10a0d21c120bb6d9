"""The snapshots the cockpit hands to a UI: plain frozen data, no I/O, no formatting."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from stack.zipkin import Span

TraceKind = Literal["recent", "slowest", "errors"]
TRACE_KINDS: tuple[TraceKind, ...] = ("recent", "slowest", "errors")


@dataclass(frozen=True)
class ProcessUsage:
    """CPU and resident memory of a component's processes (children included)."""

    cpu_percent: float
    memory_bytes: int
    processes: int


@dataclass(frozen=True)
class ComponentRow:
    """One line of the components panel."""

    name: str
    kind: str
    provider: str
    state: str
    # registered instances for a service; 1/0 for a server we run; None for an external one
    instances: int | None
    pids: tuple[int, ...]
    health: str
    uptime_s: float | None
    # only the supervisor (issue 6) will count restarts; None until it does
    restarts: int | None
    cpu_percent: float | None
    memory_bytes: int | None
    cert_days_left: float | None
    endpoint: str | None = None
    # seconds until the supervisor renews its certificate (negative: overdue); None: it has none
    cert_renews_in_s: float | None = None

    @property
    def healthy(self) -> bool | None:
        """True when the last probe passed, False when it failed, None when not probed."""
        if self.health == "ok":
            return True
        return False if self.health.startswith("failing") else None


@dataclass(frozen=True)
class Registration:
    """One service instance registered in etcd, as its JSON value describes it."""

    service: str
    instance: str
    address: str | None = None
    pid: int | None = None
    version: str | None = None
    identity: str | None = None
    started_at: float | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.service, self.instance)


@dataclass(frozen=True)
class RegistrySnapshot:
    """Every registration at one etcd revision; it replaces whatever was known before."""

    registrations: tuple[Registration, ...]
    revision: int


@dataclass(frozen=True)
class RegistrationEvent:
    """One change after the snapshot."""

    action: Literal["registered", "updated", "deregistered"]
    registration: Registration
    revision: int


@dataclass(frozen=True)
class RegistryLost:
    """The watch broke (etcd away, compaction...); a new snapshot follows on reconnect."""

    reason: str


RegistryUpdate = RegistrySnapshot | RegistrationEvent | RegistryLost


@dataclass(frozen=True)
class TraceView:
    """One trace, ready to draw: its spans in waterfall order and where Zipkin shows it."""

    trace_id: str
    rows: tuple[tuple[int, Span], ...]
    duration_ms: float
    ui_url: str


@dataclass(frozen=True)
class WaterfallRow:
    """One span of a waterfall, with its time bar already drawn to a width."""

    depth: int
    service: str
    name: str
    offset_ms: float | None
    duration_ms: float
    bar: str
    error: bool
    orphan: bool
