"""The supervisor's operations: up, down, start, stop, scale and (rolling) restart.

One change at a time: each holds `changing`, since they would race for the same units. Every
process they start goes through `lifecycle.start_unit`, like `orchestrator.up`'s.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from stack import lifecycle, orchestrator
from stack.definition import Component
from stack.errors import StackError
from stack.lifecycle import Progress, provider_of, quiet
from stack.ports import is_free
from stack.providers import Instance
from stack.state import StackContext
from stack.supervisor.units import Unit, UnitTable
from stack.wiring import SERVICE_KINDS


class Operations:
    """What the control API asks of a supervisor, on its unit table."""

    def __init__(self, ctx: StackContext, table: UnitTable) -> None:
        self.ctx = ctx
        self.table = table
        self.changing = threading.Lock()

    # ---- one unit ---------------------------------------------------------------------------

    def start_unit(self, comp: Component, progress: Progress = quiet, *,
                   fresh: bool = True) -> Unit:
        """Start the process of `comp`, tracked from its spawn, ready and registered on return.

        If it never gets ready, a `fresh` unit (scale, restart) is stopped and forgotten; a unit
        being restarted after a crash is only stopped, to be tried again after its backoff.
        """
        provider = provider_of(self.ctx, comp)
        adopted: list[Unit] = []

        def started(spawned: Instance) -> None:
            self.table.write_port(comp)
            unit = self.table.adopt(comp, spawned)
            if unit is None:
                raise StackError(f"{comp.unit} exited right after starting:\n"
                                 f"{provider.log_tail(self.ctx, comp)}")
            unit.state = "starting"
            adopted.append(unit)

        # a new gateway shares the port of the one it replaces (SO_REUSEPORT)
        sharing = comp.kind == "gateway" and bool(self.table.units_of(comp.name))
        try:
            lifecycle.start_unit(self.ctx, comp, progress, provider=provider,
                                 share_port=sharing, started=started)
        except BaseException:
            if adopted:
                if fresh:
                    self.stop_unit(adopted[0])
                else:
                    provider.stop(self.ctx, comp)
            raise
        unit = adopted[0]
        unit.state = "running"
        self.table.event(comp.unit, f"running (pid {unit.pid}, port {comp.port})")
        return unit

    def stop_unit(self, unit: Unit, progress: Progress = quiet) -> None:
        """Stop one unit (its stop signal, then SIGKILL) and forget it."""
        with self.table.lock:
            unit.wanted = False
            unit.next_start = None
        progress(unit.comp.unit, "stopping")
        started = time.monotonic()
        provider = provider_of(self.ctx, unit.comp)
        provider.stop(self.ctx, unit.comp)
        if self.table.forget(unit):
            provider.release(self.ctx, unit.comp)
        took = time.monotonic() - started
        progress(unit.comp.unit, f"stopped ({took:.1f}s)")
        self.table.event(unit.comp.unit, f"stopped ({took:.1f}s)")

    def wait_ports_free(self, comp: Component, progress: Progress = quiet,
                        timeout: float | None = None) -> None:
        """Until every port `comp` binds is free, or `timeout` (default: its stop timeout);
        after that the start's preflight names whoever holds it."""
        if not provider_of(self.ctx, comp).binds_ports or comp.kind == "gateway":
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

    # ---- the operations of the control API --------------------------------------------------

    def up(self, names: list[str] | None, progress: Progress = quiet) -> None:
        """Start what is not running, in dependency order, and track every process."""
        with self.changing:
            self.table.adopt_all()

            def running(comp: Component) -> bool:
                # after a rolling restart a component runs as further instances only
                return bool(self.table.units_of(comp.name)) or \
                    provider_of(self.ctx, comp).inspect(self.ctx, comp).running

            orchestrator.up(self.ctx, names, progress, running)
            self.table.adopt_all()

    def down(self, names: list[str] | None, progress: Progress = quiet) -> None:
        """Stop components (all when none) and their further instances, dependents first."""
        with self.changing:
            chosen = self.ctx.definition.select(None)
            if names:
                wanted = set(names)
                chosen = [c for c in chosen if orchestrator.depends_on_any(self.ctx, c, wanted)]
            chosen_names = {c.name for c in chosen}
            with self.table.lock:
                for unit in self.table.units.values():
                    if unit.comp.name in chosen_names:
                        unit.wanted = False
                # further instances first, then the rest in reverse dependency order
                extras = [u for u in self.table.units.values()
                          if u.comp.instance and u.comp.name in chosen_names]
            with ThreadPoolExecutor(max_workers=max(1, len(extras))) as pool:
                list(pool.map(lambda u: self.stop_unit(u, progress), extras))
            orchestrator.down(self.ctx, [c.name for c in chosen] if names else None, progress)
            with self.table.lock:
                for comp in chosen:
                    self.table.units.pop(comp.unit, None)
            for comp in chosen:
                provider_of(self.ctx, comp).release(self.ctx, comp)

    def start(self, name: str, progress: Progress = quiet) -> None:
        """Start a stopped component (its dependencies must run)."""
        comp = self.component(name)
        with self.changing:
            missing = [d for d in comp.depends_on
                       if not provider_of(self.ctx, self.component(d)).inspect(
                           self.ctx, self.component(d)).running]
            if missing:
                raise StackError(f"cannot start {name}: {', '.join(missing)} not running "
                                 f"(start them first, or run `dyttctl up`)")
            if provider_of(self.ctx, comp).inspect(self.ctx, comp).running:
                progress(name, "already running")
                self.table.adopt(comp)
                return
            self.start_unit(comp, progress)

    def stop(self, name: str, progress: Progress = quiet) -> None:
        """Stop every instance of one component (not what depends on it)."""
        self.component(name)
        with self.changing:
            units = self.table.units_of(name)
            if not units:
                progress(name, "not running")
                return
            with ThreadPoolExecutor(max_workers=len(units)) as pool:
                list(pool.map(lambda u: self.stop_unit(u, progress), units))

    def scale(self, name: str, count: int, progress: Progress = quiet) -> None:
        """Run exactly `count` instances of a service or the gateway; removed ones drain first."""
        comp = self.service(name, "scale")
        if count < 1:
            raise StackError(f"{name}: scale to at least 1 (use `dyttctl stop {name}` to stop it)")
        with self.changing:
            units = self.table.units_of(name)
            if not units:
                raise StackError(f"{name} is not running: `dyttctl start {name}` first")
            for _ in range(count - len(units)):
                self.start_unit(self.table.new_instance(comp), progress)
            # the newest go first; the first instance stays while any does
            surplus = sorted(units, key=lambda u: (u.comp.instance == "", -(u.started_at or 0)))
            for unit in surplus[:max(0, len(units) - count)]:
                self.stop_unit(unit, progress)

    def restart(self, name: str, progress: Progress = quiet) -> None:
        """Rolling for services and the gateway: each instance is replaced by a new one that is
        healthy and registered before the old one deregisters and drains. Servers restart."""
        comp = self.component(name)
        with self.changing:
            units = self.table.units_of(name)
            if comp.kind not in SERVICE_KINDS:
                for unit in units:
                    self.stop_unit(unit, progress)
                # the old process is gone and reaped, but a port can outlive it for a moment
                self.wait_ports_free(comp, progress)
                self.start_unit(comp, progress)
                return
            if not units:
                raise StackError(f"{name} is not running: `dyttctl start {name}` first")
            for old in units:
                self.start_unit(self.table.new_instance(comp), progress)
                self.stop_unit(old, progress)

    def component(self, name: str) -> Component:
        """The component called `name`; StackError naming the known ones if none is."""
        try:
            return self.ctx.definition.components[name]
        except KeyError:
            known = ", ".join(self.ctx.definition.components)
            raise StackError(f"no component {name!r} (known: {known})") from None

    def service(self, name: str, verb: str) -> Component:
        """The service or gateway called `name`; StackError for any other kind."""
        comp = self.component(name)
        if comp.kind not in SERVICE_KINDS:
            raise StackError(f"only dytt's services and the gateway can {verb}; "
                             f"{name} is {comp.kind}")
        return comp
