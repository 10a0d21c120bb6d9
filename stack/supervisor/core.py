"""What the supervisor does: start, watch, restart, scale and stop the stack's processes.

Each running process is a Unit: a component, or one more instance of it (`name@instance`, on a
port of its own). A unit that exits without being asked to is restarted after a backoff that
doubles (1 s up to 30 s); one that crashes CRASH_LIMIT times within CRASH_WINDOW seconds is in a
crash loop: it is left stopped and reported, not restarted forever. One that is alive but keeps
failing its check (`liveness`) is stopped, and that counts as a crash too.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import threading
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

from services.mesh import registry
from stack import orchestrator, providers
from stack.definition import Component
from stack.errors import StackError
from stack.orchestrator import Progress, quiet
from stack.ports import free_port, is_free
from stack.providers import Provider
from stack.readiness import registered_instances, registry_address
from stack.state import StackContext
from stack.supervisor.liveness import LivenessMonitor
from stack.wiring import SERVICE_KINDS

log = logging.getLogger("dytt.supervisor")

BACKOFF_START, BACKOFF_MAX = 1.0, 30.0
CRASH_LIMIT, CRASH_WINDOW = 5, 120.0
POLL_INTERVAL = 0.5
# rounds of the monitor between two sweeps for stray zombie children
SWEEP_EVERY = 10


@dataclass
class Unit:
    """One process the supervisor keeps running."""

    comp: Component
    # starting, running, unhealthy (alive, failing its check), stopping (killed for it),
    # backoff, crash-loop, stopped
    state: str = "starting"
    pid: int | None = None
    started_at: float | None = None
    restarts: int = 0
    crashes: deque[float] = field(default_factory=deque)
    backoff: float = 0.0
    next_start: float | None = None
    last_exit: str = ""
    # False while the supervisor itself stops it: an exit then is not a crash
    wanted: bool = True

    def to_json(self) -> dict[str, Any]:
        return {
            "unit": self.comp.unit, "component": self.comp.name, "instance": self.comp.instance,
            "port": self.comp.port, "state": self.state, "pid": self.pid,
            "started_at": self.started_at, "restarts": self.restarts,
            "last_exit": self.last_exit,
            "next_start_in": (round(max(0.0, self.next_start - time.time()), 1)
                              if self.next_start else None),
        }


def _exit_status(pid: int) -> str | None:
    """How child `pid` ended (reaping it), or None while it runs; psutil for non-children."""
    try:
        done, status = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        # not our child (adopted after a supervisor restart), or already reaped
        try:
            proc = psutil.Process(pid)
            return None if proc.status() != psutil.STATUS_ZOMBIE else "exited"
        except psutil.NoSuchProcess:
            return "exited"
    if done == 0:
        return None
    if os.WIFSIGNALED(status):
        return f"killed by signal {os.WTERMSIG(status)}"
    return f"exited with code {os.WEXITSTATUS(status)}"


class Supervisor:
    """Owns the units of one stack; thread-safe, driven by the control API and a monitor."""

    def __init__(self, ctx: StackContext, *, backoff: tuple[float, float] = (BACKOFF_START,
                 BACKOFF_MAX), crash_limit: int = CRASH_LIMIT,
                 crash_window: float = CRASH_WINDOW) -> None:
        self.ctx = ctx
        self.backoff_start, self.backoff_max = backoff
        self.crash_limit, self.crash_window = crash_limit, crash_window
        self.units: dict[str, Unit] = {}
        self.events: deque[dict[str, Any]] = deque(maxlen=500)
        self._lock = threading.RLock()
        # one change at a time (up, down, scale, restart): they would race for the same units
        self._changing = threading.Lock()
        self._stop = threading.Event()
        self._monitor: threading.Thread | None = None
        self._liveness = LivenessMonitor(self, self._unresponsive)
        self._rounds = 0

    # ---- bookkeeping --------------------------------------------------------------------

    def _event(self, unit: str, what: str) -> None:
        self.events.append({"ts": time.time(), "unit": unit, "event": what})
        log.info("%s: %s", unit, what, extra={"unit": unit})

    def _provider(self, comp: Component) -> Provider:
        return providers.get(self.ctx.definition.provider_of(comp))

    def _adopt(self, comp: Component) -> Unit | None:
        """Track `comp`'s process if it runs (started by us or a supervisor before us)."""
        running = self._provider(comp).inspect(self.ctx, comp)
        if not running.running:
            return None
        with self._lock:
            unit = self.units.get(comp.unit)
            if unit is None:
                unit = self.units[comp.unit] = Unit(comp)
            unit.comp, unit.pid, unit.started_at = comp, running.pid, running.started_at
            unit.state, unit.wanted, unit.next_start = "running", True, None
            return unit

    def adopt_all(self) -> None:
        """Track every process of the stack that runs now, further instances included."""
        for comp in self.ctx.definition.select(None):
            self._adopt(comp)
            for record in sorted(self.ctx.run_dir.glob(f"{comp.name}@*.json")):
                instance = record.stem.split("@", 1)[1]
                port = self._recorded_port(record)
                if port is None or self._adopt(comp.as_instance(instance, port)) is None:
                    # an instance that died with its supervisor: nothing to come back to
                    record.unlink(missing_ok=True)

    @staticmethod
    def _recorded_port(record: Path) -> int | None:
        try:
            return int(json.loads(record.read_text()).get("port", 0)) or None
        except (OSError, ValueError):
            return None

    def units_of(self, name: str) -> list[Unit]:
        """The units of component `name` that are meant to run."""
        with self._lock:
            return [u for u in self.units.values() if u.comp.name == name and u.wanted]

    def status(self) -> list[dict[str, Any]]:
        """Every unit, in stack order."""
        order = {c.name: i for i, c in enumerate(self.ctx.definition.select(None))}
        with self._lock:
            units = sorted(self.units.values(),
                           key=lambda u: (order.get(u.comp.name, 99), u.comp.instance))
            # the port this very process listens on: instances move to new ports on restarts
            return [{**u.to_json(), "address": registry_address(self.ctx, u.comp)}
                    for u in units]

    # ---- starting and stopping units -----------------------------------------------------

    def _start(self, comp: Component, progress: Progress = quiet, *, fresh: bool = True) -> Unit:
        """Start the process of `comp`, ready (and registered) when this returns.

        If it never gets ready, a `fresh` unit (scale, restart) is stopped and forgotten; a unit
        being restarted after a crash is only stopped, to be tried again after its backoff.
        """
        provider = self._provider(comp)
        # a new gateway shares the port of the one it replaces (SO_REUSEPORT)
        sharing = comp.kind == "gateway" and bool(self.units_of(comp.name))
        if provider.binds_ports and not sharing:
            orchestrator.preflight(self.ctx, comp)
        provider.start(self.ctx, comp)
        self._write_port(comp)
        unit = self._adopt(comp)
        if unit is None:
            raise StackError(f"{comp.unit} exited right after starting:\n"
                             f"{provider.log_tail(self.ctx, comp)}")
        unit.state = "starting"
        try:
            orchestrator.wait_ready(self.ctx, comp, progress)
            if comp.kind in SERVICE_KINDS:
                self._wait_registered(unit)
        except BaseException:
            if fresh:
                self._stop_unit(unit)
            else:
                provider.stop(self.ctx, comp)
            raise
        unit.state = "running"
        self._event(comp.unit, f"running (pid {unit.pid}, port {comp.port})")
        return unit

    def _write_port(self, comp: Component) -> None:
        # further instances live on ports of their own: the record says which, for adoption
        if not comp.instance:
            return
        record = self.ctx.record_file(comp)
        with contextlib.suppress(OSError, ValueError):
            data = json.loads(record.read_text())
            data["port"] = comp.port
            record.write_text(json.dumps(data, indent=2))

    def _wait_registered(self, unit: Unit, timeout: float = 30.0) -> None:
        """Until etcd lists this very process (its pid) under the component."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(i.get("pid") == unit.pid for i in registered_instances(self.ctx, unit.comp)):
                return
            time.sleep(0.1)
        raise StackError(f"{unit.comp.unit} did not register in etcd within {timeout:g}s")

    def _stop_unit(self, unit: Unit, progress: Progress = quiet) -> None:
        with self._lock:
            unit.wanted = False
            unit.next_start = None
        progress(unit.comp.unit, "stopping")
        started = time.monotonic()
        self._provider(unit.comp).stop(self.ctx, unit.comp)
        with self._lock:
            unit.state, unit.pid = "stopped", None
            # gone for good: status lists what runs (and what crash-loops), not history
            self.units.pop(unit.comp.unit, None)
            last = not self.units_of(unit.comp.name)
        if last:
            self._provider(unit.comp).release(self.ctx, unit.comp)
        took = time.monotonic() - started
        progress(unit.comp.unit, f"stopped ({took:.1f}s)")
        self._event(unit.comp.unit, f"stopped ({took:.1f}s)")

    def _new_instance(self, comp: Component) -> Component:
        with self._lock:
            taken = {u.comp.instance for u in self.units.values() if u.comp.name == comp.name}
        number = 2
        while str(number) in taken or self.ctx.record_file(
                comp.as_instance(str(number), comp.port)).exists():
            number += 1
        # gateways share one listening socket: clients know only the one port
        port = comp.port if comp.kind == "gateway" else free_port()
        return comp.as_instance(str(number), port)

    # ---- the operations of the control API --------------------------------------------------

    def up(self, names: list[str] | None, progress: Progress = quiet) -> None:
        """Start what is not running, in dependency order, and track every process."""
        with self._changing:
            self.adopt_all()

            def running(comp: Component) -> bool:
                # after a rolling restart a component runs as further instances only
                return bool(self.units_of(comp.name)) or \
                    self._provider(comp).inspect(self.ctx, comp).running

            orchestrator.up(self.ctx, names, progress, running)
            self.adopt_all()

    def down(self, names: list[str] | None, progress: Progress = quiet) -> None:
        """Stop components (all when none) and their further instances, dependents first."""
        with self._changing:
            chosen = self.ctx.definition.select(None)
            if names:
                wanted = set(names)
                chosen = [c for c in chosen if orchestrator.depends_on_any(self.ctx, c, wanted)]
            with self._lock:
                for unit in self.units.values():
                    if unit.comp.name in {c.name for c in chosen}:
                        unit.wanted = False
            # further instances first, then the rest in reverse dependency order
            extras = [u for u in list(self.units.values())
                      if u.comp.instance and u.comp.name in {c.name for c in chosen}]
            with ThreadPoolExecutor(max_workers=max(1, len(extras))) as pool:
                list(pool.map(lambda u: self._stop_unit(u, progress), extras))
            orchestrator.down(self.ctx, [c.name for c in chosen] if names else None, progress)
            with self._lock:
                for comp in chosen:
                    self.units.pop(comp.unit, None)
            for comp in chosen:
                self._provider(comp).release(self.ctx, comp)

    def start(self, name: str, progress: Progress = quiet) -> None:
        """Start a stopped component (its dependencies must run)."""
        comp = self._component(name)
        with self._changing:
            missing = [d for d in comp.depends_on
                       if not self._provider(self._component(d)).inspect(
                           self.ctx, self._component(d)).running]
            if missing:
                raise StackError(f"cannot start {name}: {', '.join(missing)} not running "
                                 f"(start them first, or run `dyttctl up`)")
            if self._provider(comp).inspect(self.ctx, comp).running:
                progress(name, "already running")
                self._adopt(comp)
                return
            self._start(comp, progress)

    def stop(self, name: str, progress: Progress = quiet) -> None:
        """Stop every instance of one component (not what depends on it)."""
        self._component(name)
        with self._changing:
            units = self.units_of(name)
            if not units:
                progress(name, "not running")
                return
            with ThreadPoolExecutor(max_workers=len(units)) as pool:
                list(pool.map(lambda u: self._stop_unit(u, progress), units))

    def scale(self, name: str, count: int, progress: Progress = quiet) -> None:
        """Run exactly `count` instances of a service or the gateway; removed ones drain first."""
        comp = self._service(name, "scale")
        if count < 1:
            raise StackError(f"{name}: scale to at least 1 (use `dyttctl stop {name}` to stop it)")
        with self._changing:
            units = self.units_of(name)
            if not units:
                raise StackError(f"{name} is not running: `dyttctl start {name}` first")
            for _ in range(count - len(units)):
                self._start(self._new_instance(comp), progress)
            # the newest go first; the first instance stays while any does
            surplus = sorted(units, key=lambda u: (u.comp.instance == "", -(u.started_at or 0)))
            for unit in surplus[:max(0, len(units) - count)]:
                self._stop_unit(unit, progress)

    def restart(self, name: str, progress: Progress = quiet) -> None:
        """Rolling for services and the gateway: each instance is replaced by a new one that is
        healthy and registered before the old one deregisters and drains. Servers restart."""
        comp = self._component(name)
        with self._changing:
            units = self.units_of(name)
            if comp.kind not in SERVICE_KINDS:
                for unit in units:
                    self._stop_unit(unit, progress)
                # the old process is gone and reaped, but a port can outlive it for a moment
                self._wait_ports_free(comp, progress)
                self._start(comp, progress)
                return
            if not units:
                raise StackError(f"{name} is not running: `dyttctl start {name}` first")
            for old in units:
                self._start(self._new_instance(comp), progress)
                self._stop_unit(old, progress)

    def _wait_ports_free(self, comp: Component, progress: Progress = quiet,
                         timeout: float | None = None) -> None:
        """Until every port `comp` binds is free, or `timeout` (default: its stop timeout);
        after that the start's preflight names whoever holds it."""
        if not self._provider(comp).binds_ports or comp.kind == "gateway":
            return  # gateways listen on the supervisor's own socket: never free, never needed
        host = self.ctx.host(comp)
        deadline = time.monotonic() + (comp.stop_timeout if timeout is None else timeout)
        said = False
        while time.monotonic() < deadline:
            taken = [p for p in comp.ports.values() if not is_free(host, p)]
            if not taken:
                return
            if not said:
                progress(comp.unit, f"waiting for port {taken[0]} to be free")
                said = True
            time.sleep(0.1)

    def _component(self, name: str) -> Component:
        try:
            return self.ctx.definition.components[name]
        except KeyError:
            known = ", ".join(self.ctx.definition.components)
            raise StackError(f"no component {name!r} (known: {known})") from None

    def _service(self, name: str, verb: str) -> Component:
        comp = self._component(name)
        if comp.kind not in SERVICE_KINDS:
            raise StackError(f"only dytt's services and the gateway can {verb}; "
                             f"{name} is {comp.kind}")
        return comp

    # ---- keeping units alive ------------------------------------------------------------------

    def start_monitor(self) -> None:
        """Watch the units in a thread until `close`."""
        self._monitor = threading.Thread(target=self._watch, name="monitor", daemon=True)
        self._monitor.start()
        self._liveness.start()

    def close(self) -> None:
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
                        not self._changing.locked():
                    self._restart_crashed(unit)
                continue
            if unit.pid is None:
                continue
            if unit.started_at and now - unit.started_at > self.crash_window:
                unit.backoff = 0.0  # up a good while: the next crash starts afresh
            ended = _exit_status(unit.pid)
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
            self._provider(unit.comp).stop(self.ctx, unit.comp)
        except Exception:
            log.exception("stopping %s failed", unit.comp.unit)
        self._event(unit.comp.unit, f"stopped ({time.monotonic() - started:.1f}s)")
        if unit.wanted:
            self._crashed(unit, reason, time.time())

    def _forget_registration(self, comp: Component, pid: int) -> None:
        """Delete a dead process's etcd key now rather than when its lease runs out (up to the
        TTL later), so that nobody is sent to it meanwhile."""
        etcd = self.ctx.definition.components["etcd"]
        try:
            client = registry.connect([(self.ctx.host(etcd), etcd.port)], timeout=2)
        except Exception:
            return
        try:
            for value, meta in client.get_prefix(registry.service_prefix(comp.name)):
                with contextlib.suppress(ValueError):
                    if json.loads(value).get("pid") == pid:
                        client.delete(meta.key)
                        self._event(comp.unit, f"removed its registration {meta.key.decode()}")
        except Exception:
            log.warning("could not remove the registration of %s (pid %d)", comp.unit, pid)
        finally:
            client.close()

    def _crashed(self, unit: Unit, how: str, now: float) -> None:
        if unit.comp.kind in SERVICE_KINDS and unit.pid is not None:
            self._forget_registration(unit.comp, unit.pid)
        with self._lock:
            unit.last_exit, unit.pid = how, None
            unit.crashes.append(now)
            while unit.crashes and now - unit.crashes[0] > self.crash_window:
                unit.crashes.popleft()
            provider = self.ctx.definition.provider_of(unit.comp)
            if provider != "native":
                unit.state = "stopped"
                self._event(unit.comp.unit, f"{how}; {provider} components are not restarted")
                return
            if len(unit.crashes) >= self.crash_limit:
                unit.state = "crash-loop"
                self._event(unit.comp.unit, f"{how}; crash loop ({len(unit.crashes)} crashes in "
                            f"{now - unit.crashes[0]:.0f}s): not restarting. Log: "
                            f"{self.ctx.log_file(unit.comp)}")
                return
            self._schedule(unit, now)
            self._event(unit.comp.unit, f"{how}; restarting in {unit.backoff:g}s")

    def _schedule(self, unit: Unit, now: float) -> None:
        # the first restart waits backoff_start, each next one twice as long, up to backoff_max
        unit.backoff = min(max(unit.backoff * 2, self.backoff_start), self.backoff_max)
        unit.state, unit.next_start = "backoff", now + unit.backoff

    def _restart_crashed(self, unit: Unit) -> None:
        comp = unit.comp
        with self._lock:
            unit.state, unit.next_start = "starting", None
        try:
            # the run record is stale: the provider's stop cleans it and any left-over helpers
            self._provider(comp).stop(self.ctx, comp)
            self._wait_ports_free(comp)
            self._start(comp, fresh=False)
        except Exception as exc:
            self._event(comp.unit, f"restart failed: {str(exc).splitlines()[0]}")
            if unit.wanted:
                self._crashed(unit, "failed to start", time.time())
            return
        with self._lock:
            unit.restarts += 1
