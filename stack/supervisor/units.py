"""The supervisor's unit table: the processes it keeps running, adopted from their run records.

Each running process is a Unit: a component, or one more instance of it (`name@instance`, on a
port of its own, which its run record keeps so that a new supervisor can adopt it).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

from stack.definition import Component
from stack.lifecycle import provider_of
from stack.ports import free_port
from stack.providers import Instance
from stack.readiness import registry_address
from stack.state import StackContext

log = logging.getLogger("dytt.supervisor")


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
        """The unit as the control API's `status` reports it."""
        return {
            "unit": self.comp.unit, "component": self.comp.name, "instance": self.comp.instance,
            "port": self.comp.port, "state": self.state, "pid": self.pid,
            "started_at": self.started_at, "restarts": self.restarts,
            "last_exit": self.last_exit,
            "next_start_in": (round(max(0.0, self.next_start - time.time()), 1)
                              if self.next_start else None),
        }


def exit_status(pid: int) -> str | None:
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


class UnitTable:
    """The units of one stack and the supervisor's event log; guarded by `lock`."""

    def __init__(self, ctx: StackContext) -> None:
        self.ctx = ctx
        self.units: dict[str, Unit] = {}
        self.events: deque[dict[str, Any]] = deque(maxlen=500)
        self.lock = threading.RLock()

    def event(self, unit: str, what: str) -> None:
        """Record (and log) what happened to `unit`."""
        self.events.append({"ts": time.time(), "unit": unit, "event": what})
        log.info("%s: %s", unit, what, extra={"unit": unit})

    def adopt(self, comp: Component, seen: Instance | None = None) -> Unit | None:
        """Track `comp`'s process if it runs (started by us or a supervisor before us)."""
        running = seen or provider_of(self.ctx, comp).inspect(self.ctx, comp)
        if not running.running:
            return None
        with self.lock:
            unit = self.units.get(comp.unit)
            if unit is None:
                unit = self.units[comp.unit] = Unit(comp)
            unit.comp, unit.pid, unit.started_at = comp, running.pid, running.started_at
            unit.state, unit.wanted, unit.next_start = "running", True, None
            return unit

    def adopt_all(self) -> None:
        """Track every process of the stack that runs now, further instances included."""
        for comp in self.ctx.definition.select(None):
            self.adopt(comp)
            for record in sorted(self.ctx.run_dir.glob(f"{comp.name}@*.json")):
                instance = record.stem.split("@", 1)[1]
                port = _recorded_port(record)
                if port is None or self.adopt(comp.as_instance(instance, port)) is None:
                    # an instance that died with its supervisor: nothing to come back to
                    record.unlink(missing_ok=True)

    def write_port(self, comp: Component) -> None:
        """Keep a further instance's port in its run record, for adoption."""
        if not comp.instance:
            return
        record = self.ctx.record_file(comp)
        with contextlib.suppress(OSError, ValueError):
            data = json.loads(record.read_text())
            data["port"] = comp.port
            record.write_text(json.dumps(data, indent=2))

    def units_of(self, name: str) -> list[Unit]:
        """The units of component `name` that are meant to run."""
        with self.lock:
            return [u for u in self.units.values() if u.comp.name == name and u.wanted]

    def forget(self, unit: Unit) -> bool:
        """Drop a stopped unit; whether it was the last of its component."""
        with self.lock:
            unit.state, unit.pid = "stopped", None
            # gone for good: status lists what runs (and what crash-loops), not history
            self.units.pop(unit.comp.unit, None)
            return not self.units_of(unit.comp.name)

    def status(self) -> list[dict[str, Any]]:
        """Every unit, in stack order."""
        order = {c.name: i for i, c in enumerate(self.ctx.definition.select(None))}
        with self.lock:
            units = sorted(self.units.values(),
                           key=lambda u: (order.get(u.comp.name, 99), u.comp.instance))
            # the port this very process listens on: instances move to new ports on restarts
            return [{**u.to_json(), "address": registry_address(self.ctx, u.comp)}
                    for u in units]

    def new_instance(self, comp: Component) -> Component:
        """One more instance of `comp`: the lowest free number, on a port of its own."""
        with self.lock:
            taken = {u.comp.instance for u in self.units.values() if u.comp.name == comp.name}
        number = 2
        while str(number) in taken or self.ctx.record_file(
                comp.as_instance(str(number), comp.port)).exists():
            number += 1
        # gateways share one listening socket: clients know only the one port
        port = comp.port if comp.kind == "gateway" else free_port()
        return comp.as_instance(str(number), port)


def _recorded_port(record: Path) -> int | None:
    try:
        return int(json.loads(record.read_text()).get("port", 0)) or None
    except (OSError, ValueError):
        return None
