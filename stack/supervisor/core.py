"""The supervisor: its unit table, its operations, and the monitor that keeps units alive.

The monitor notices exits (reaping the processes it started), applies the crash policy
(`policy`), restarts crashed units when their backoff is over, and hands hung units found by the
liveness monitor the same fate. The unit table is `units`, the operations `operations`.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from typing import Any

import psutil

from services.mesh import registry
from stack.lifecycle import Progress, provider_of, quiet
from stack.readiness import etcd_endpoints
from stack.state import StackContext
from stack.supervisor.liveness import LivenessMonitor
from stack.supervisor.operations import Operations
from stack.supervisor.policy import (
    BACKOFF_MAX,
    BACKOFF_START,
    CRASH_LIMIT,
    CRASH_WINDOW,
    CrashPolicy,
)
from stack.supervisor.units import Unit, UnitTable, exit_status
from stack.wiring import SERVICE_KINDS

log = logging.getLogger("dytt.supervisor")

POLL_INTERVAL = 0.5
# rounds of the monitor between two sweeps for stray zombie children
SWEEP_EVERY = 10


class Supervisor:
    """Owns the units of one stack; thread-safe, driven by the control API and a monitor."""

    def __init__(self, ctx: StackContext, *, backoff: tuple[float, float] = (BACKOFF_START,
                 BACKOFF_MAX), crash_limit: int = CRASH_LIMIT,
                 crash_window: float = CRASH_WINDOW) -> None:
        self.ctx = ctx
        self.policy = CrashPolicy(backoff[0], backoff[1], crash_limit, crash_window)
        self.table = UnitTable(ctx)
        self.operations = Operations(ctx, self.table)
        # the table's, shared with the liveness monitor
        self.units, self.events, self._lock = self.table.units, self.table.events, self.table.lock
        self._stop = threading.Event()
        self._monitor: threading.Thread | None = None
        self._liveness = LivenessMonitor(self, self._unresponsive)
        self._rounds = 0

    def _event(self, unit: str, what: str) -> None:
        self.table.event(unit, what)

    def adopt_all(self) -> None:
        """Track every process of the stack that runs now, further instances included."""
        self.table.adopt_all()

    def units_of(self, name: str) -> list[Unit]:
        """The units of component `name` that are meant to run."""
        return self.table.units_of(name)

    def status(self) -> list[dict[str, Any]]:
        """Every unit, in stack order."""
        return self.table.status()

    # ---- the operations of the control API --------------------------------------------------

    def up(self, names: list[str] | None, progress: Progress = quiet) -> None:
        """Start what is not running, in dependency order, and track every process."""
        self.operations.up(names, progress)

    def down(self, names: list[str] | None, progress: Progress = quiet) -> None:
        """Stop components (all when none) and their further instances, dependents first."""
        self.operations.down(names, progress)

    def start(self, name: str, progress: Progress = quiet) -> None:
        """Start a stopped component (its dependencies must run)."""
        self.operations.start(name, progress)

    def stop(self, name: str, progress: Progress = quiet) -> None:
        """Stop every instance of one component (not what depends on it)."""
        self.operations.stop(name, progress)

    def scale(self, name: str, count: int, progress: Progress = quiet) -> None:
        """Run exactly `count` instances of a service or the gateway."""
        self.operations.scale(name, count, progress)

    def restart(self, name: str, progress: Progress = quiet) -> None:
        """Rolling for services and the gateway, a stop and start for servers."""
        self.operations.restart(name, progress)

    # ---- keeping units alive ------------------------------------------------------------------

    def start_monitor(self) -> None:
        """Watch the units in a thread until `close`."""
        self._monitor = threading.Thread(target=self._watch, name="monitor", daemon=True)
        self._monitor.start()
        self._liveness.start()

    def close(self) -> None:
        """Stop watching; the processes keep running."""
        self._stop.set()
        self._liveness.close()
        if self._monitor is not None:
            self._monitor.join(timeout=5)

    def _watch(self) -> None:
        while not self._stop.wait(POLL_INTERVAL):
            try:
                self.check()
            except Exception:
                log.exception("supervisor check failed")

    def check(self) -> None:
        """One round: notice exits, schedule and perform restarts."""
        now = time.time()
        with self._lock:
            units = list(self.units.values())
        self._rounds += 1
        if self._rounds % SWEEP_EVERY == 0:
            self._reap_strays()
        for unit in units:
            # a unit "stopping" is being killed for hanging: that exit is not news
            if not unit.wanted or unit.state in ("stopped", "crash-loop", "stopping"):
                continue
            if unit.state == "backoff":
                if unit.next_start is not None and now >= unit.next_start and \
                        not self.operations.changing.locked():
                    self._restart_crashed(unit)
                continue
            if unit.pid is None:
                continue
            self.policy.settled(unit, now)
            ended = exit_status(unit.pid)
            if ended is None or not unit.wanted:
                continue
            self._crashed(unit, ended, now)

    def _reap_strays(self) -> None:
        """Reap exited children no unit tracks (yet or any more): nothing stays a zombie."""
        with self._lock:
            tracked = {u.pid for u in self.units.values() if u.pid is not None}
        try:
            children = psutil.Process().children()
        except psutil.Error:
            return
        for child in children:
            with contextlib.suppress(psutil.Error, ChildProcessError):
                if child.pid not in tracked and child.status() == psutil.STATUS_ZOMBIE:
                    os.waitpid(child.pid, os.WNOHANG)

    def _unresponsive(self, unit: Unit, reason: str) -> None:
        """Liveness gave up on `unit`: stop it (in a thread of its own) and count a crash."""
        with self._lock:
            if not unit.wanted or unit.state not in ("running", "unhealthy"):
                return
            unit.state = "stopping"
        self._event(unit.comp.unit, f"{reason}: stopping it")
        threading.Thread(target=self._kill_unresponsive, args=(unit, reason),
                         name=f"kill-{unit.comp.unit}", daemon=True).start()

    def _kill_unresponsive(self, unit: Unit, reason: str) -> None:
        started = time.monotonic()
        try:
            # its stop signal, the stop timeout, then SIGKILL; reaped when it is our child
            provider_of(self.ctx, unit.comp).stop(self.ctx, unit.comp)
        except Exception:
            log.exception("stopping %s failed", unit.comp.unit)
        self._event(unit.comp.unit, f"stopped ({time.monotonic() - started:.1f}s)")
        if unit.wanted:
            self._crashed(unit, reason, time.time())

    def _forget_registration(self, unit: Unit, pid: int) -> None:
        """Delete a dead process's etcd key now rather than when its lease runs out (up to the
        TTL later), so that nobody is sent to it meanwhile."""
        try:
            for key in registry.remove_pid(etcd_endpoints(self.ctx), unit.comp.name, pid):
                self._event(unit.comp.unit, f"removed its registration {key}")
        except Exception:
            log.warning("could not remove the registration of %s (pid %d)", unit.comp.unit, pid)

    def _crashed(self, unit: Unit, how: str, now: float) -> None:
        if unit.comp.kind in SERVICE_KINDS and unit.pid is not None:
            self._forget_registration(unit, unit.pid)
        with self._lock:
            what = self.policy.crashed(unit, how, now, self.ctx.definition.provider_of(unit.comp),
                                       self.ctx.log_file(unit.comp))
            self._event(unit.comp.unit, what)

    def _restart_crashed(self, unit: Unit) -> None:
        comp = unit.comp
        with self._lock:
            unit.state, unit.next_start = "starting", None
        try:
            # the run record is stale: the provider's stop cleans it and any left-over helpers
            provider_of(self.ctx, comp).stop(self.ctx, comp)
            self.operations.wait_ports_free(comp)
            self.operations.start_unit(comp, fresh=False)
        except Exception as exc:
            self._event(comp.unit, f"restart failed: {str(exc).splitlines()[0]}")
            if unit.wanted:
                self._crashed(unit, "failed to start", time.time())
            return
        with self._lock:
            unit.restarts += 1
