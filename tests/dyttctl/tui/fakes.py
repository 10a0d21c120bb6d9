"""A deterministic fake cockpit for the Pilot and snapshot tests: fixed data, no clock, no I/O."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from dyttctl.cockpit import (
    CockpitError,
    ComponentRow,
    Registration,
    RegistryLost,
    RegistrySnapshot,
    RegistryUpdate,
    TraceKind,
    TraceView,
    select_traces,
)
from dyttctl.tui import TuiOptions
from stack.logs import LogLine
from stack.zipkin import Span, TraceSummary, span_tree

NOW = 1_767_225_600.0  # 2026-01-01T00:00:00Z
T0 = datetime.fromtimestamp(NOW, UTC)
TRACE_A = "4bf92f3577b34da6a3ce929d0e0e4736"
TRACE_B = "00f067aa0ba902b7c3d4e5f60718293a"
TRACE_C = "a1b2c3d4e5f60718293a4bf92f3577b3"


def options() -> TuiOptions:
    """Fast feeds and a fixed clock."""
    return TuiOptions(components_every=0.2, logs_every=0.05, traces_every=60, clock=lambda: NOW)


def rows() -> list[ComponentRow]:
    def row(name: str, kind: str, pid: int | None, **kw: object) -> ComponentRow:
        base: dict[str, object] = dict(
            name=name, kind=kind, provider="native", state="running",
            instances=1, pids=(pid,) if pid else (), health="ok", uptime_s=3725.0,
            restarts=None, cpu_percent=1.5, memory_bytes=64 * 1024 * 1024,
            cert_days_left=None, endpoint=f"http://127.0.0.1:1{pid or 0}")
        base.update(kw)
        return ComponentRow(**base)  # type: ignore[arg-type]

    return [
        row("mysql", "infra", 4101, memory_bytes=180 * 1024 * 1024, cpu_percent=0.4),
        row("etcd", "infra", 4102, memory_bytes=40 * 1024 * 1024),
        row("minio", "infra", 4103),
        row("zipkin", "infra", 4104, memory_bytes=310 * 1024 * 1024, cpu_percent=3.2),
        row("user", "service", 4201, instances=2, pids=(4201, 4202), cert_days_left=6.4,
            cert_renews_in_s=351_000.0),
        row("gateway", "gateway", None, state="stopped", instances=0, health="-",
            uptime_s=None, cpu_percent=None, memory_bytes=None, cert_days_left=1.2,
            cert_renews_in_s=-3600.0),
    ]


def registration(service: str, instance: str, port: int, pid: int) -> Registration:
    return Registration(service=service, instance=instance, address=f"127.0.0.1:{port}",
                        pid=pid, version="0.1.0", identity=f"spiffe://dytt/{service}",
                        started_at=NOW - 125)


def registrations() -> list[Registration]:
    return [registration("user", "3f2a9c0d1e7b", 15001, 4201),
            registration("user", "8e1d2c3b4a59", 15011, 4202)]


def line(seconds: int, component: str, level: str, message: str,
         trace_id: str | None = None, **fields: object) -> LogLine:
    return LogLine(ts=T0 + timedelta(seconds=seconds), level=level, component=component,
                   instance="3f2a9c0d1e7b", message=message, trace_id=trace_id, fields=fields)


def backlog() -> list[LogLine]:
    return [
        line(-50, "etcd", "info", "ready to serve client requests"),
        line(-40, "user", "info", "registered", key="/dytt/services/user/3f2a9c0d1e7b"),
        line(-30, "gateway", "info", "GET /douyin/feed 200", TRACE_A, ms=12.5),
        line(-20, "user", "warning", "slow query", TRACE_B, ms=812),
        line(-10, "user", "error", "login failed: bad password", TRACE_C),
        line(-5, "minio", "debug", "healthcheck ok"),
    ]


def _span(trace: str, id: str, parent: str | None, service: str, name: str, start: int,
          duration: int, error: bool = False) -> Span:
    return Span(trace_id=trace, id=id, parent_id=parent, name=name, service=service,
                kind="SERVER", timestamp_us=int(NOW * 1e6) + start, duration_us=duration,
                tags={"error": "boom"} if error else {}, error=error)


def trace_spans(trace_id: str) -> list[Span]:
    return [
        _span(trace_id, "a1", None, "gateway", "get /douyin/feed", 0, 12_500),
        _span(trace_id, "b2", "a1", "gateway", "user.GetUser", 1_000, 4_000),
        _span(trace_id, "c3", "b2", "user", "GetUser", 1_500, 3_000),
        _span(trace_id, "d4", "c3", "user", "SELECT users", 2_000, 1_800,
              error=trace_id == TRACE_C),
    ]


def summaries() -> list[TraceSummary]:
    out = []
    for age, trace_id, duration, error in ((30, TRACE_A, 12.5, False), (20, TRACE_B, 812.0, False),
                                           (10, TRACE_C, 40.0, True)):
        out.append(TraceSummary(trace_id=trace_id, root_service="gateway",
                                root_name="get /douyin/feed", start=T0 - timedelta(seconds=age),
                                duration_ms=duration, span_count=4, error=error))
    return out


class FakeControl:
    """Records calls; `fail` makes every action raise it; restart etc. say what they did."""

    def __init__(self) -> None:
        self.calls: list[tuple[object, ...]] = []
        self.fail: Exception | None = None

    def _do(self, *call: object) -> str:
        self.calls.append(call)
        if self.fail is not None:
            raise self.fail
        return " ".join(map(str, call)) + ": done"

    def restart(self, name: str) -> str:
        return self._do("restart", name)

    def stop(self, name: str) -> str:
        return self._do("stop", name)

    def start(self, name: str) -> str:
        return self._do("start", name)

    def scale(self, name: str, n: int) -> str:
        return self._do("scale", name, n)

    def rotate_cert(self, name: str) -> str:
        return self._do("rotate_cert", name)


class SupervisorlessControl(FakeControl):
    """Like the default control when no supervisor runs: restart fails with its message."""

    def restart(self, name: str) -> str:
        self.calls.append(("restart", name))
        raise CockpitError("no supervisor at /tmp/run/supervisor.sock: run `dyttctl up`")


class FakeFollower:
    """Lines pushed by the test come out of the next poll."""

    def __init__(self) -> None:
        self._pending: list[LogLine] = []
        self._lock = threading.Lock()

    def push(self, *lines: LogLine) -> None:
        with self._lock:
            self._pending.extend(lines)

    def poll(self) -> list[LogLine]:
        with self._lock:
            out, self._pending = self._pending, []
        return out


class FakeCockpit:
    """Satisfies `CockpitApi` with the data above."""

    def __init__(self) -> None:
        self.control = FakeControl()
        self.rows = rows()
        self.follower = FakeFollower()
        self.traces = summaries()
        self.trace_requests: list[str] = []
        self.trace_kinds: list[TraceKind] = []
        self._callback: Callable[[RegistryUpdate], None] | None = None
        self.watching = threading.Event()

    def component_names(self) -> list[str]:
        return [r.name for r in self.rows]

    def components(self) -> list[ComponentRow]:
        return list(self.rows)

    def registrations(self) -> list[Registration]:
        return registrations()

    def watch_registrations(self, callback: Callable[[RegistryUpdate], None],
                            stop: threading.Event) -> None:
        self._callback = callback
        callback(RegistrySnapshot(tuple(registrations()), revision=41))
        self.watching.set()
        stop.wait()

    def emit(self, update: RegistryUpdate) -> None:
        """Deliver a registry update as the watcher thread would."""
        assert self._callback is not None, "the registry feed has not started"
        self._callback(update)

    def lose_etcd(self) -> None:
        self.emit(RegistryLost("etcd unreachable (ConnectionFailedError)"))

    def log_follower(self) -> FakeFollower:
        return self.follower

    def log_backlog(self, limit: int) -> list[LogLine]:
        return backlog()[-limit:]

    def recent_traces(self, kind: TraceKind, limit: int = 50) -> list[TraceSummary]:
        self.trace_kinds.append(kind)
        return select_traces(self.traces, kind, limit)

    def trace(self, trace_id: str) -> TraceView:
        self.trace_requests.append(trace_id)
        if trace_id not in {TRACE_A, TRACE_B, TRACE_C}:
            raise CockpitError(f"trace {trace_id} not found in zipkin")
        spans = trace_spans(trace_id)
        return TraceView(trace_id=trace_id, rows=tuple(span_tree(spans)), duration_ms=12.5,
                         ui_url=f"http://127.0.0.1:19411/zipkin/traces/{trace_id}")
