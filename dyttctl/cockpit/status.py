"""Component status at two speeds: cheap process checks often, full health probes seldom.

`stack_status` (the orchestrator's status plus the supervisor's units) probes every component
for real (an SQL login, HTTP health checks, gRPC health over mTLS, etcd reads): about half a
second of CPU per call on a full stack, too much to repeat every two seconds. `StatusCache` runs
it every `probe_every` seconds, and at once when a component's process changes (started,
stopped, new pid); in between it only asks the providers whether each process still runs, and
ages the uptimes.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable

from stack import providers
from stack.definition import Component
from stack.orchestrator import ComponentStatus
from stack.providers import Instance
from stack.state import StackContext
from stack.supervisor.control import stack_status

Inspect = Callable[[StackContext, Component], Instance]
# how old the health column may get while nothing else changes
PROBE_EVERY = 10.0


def _inspect(ctx: StackContext, comp: Component) -> Instance:
    return providers.get(ctx.definition.provider_of(comp)).inspect(ctx, comp)


def _same_process(status: ComponentStatus, inst: Instance) -> bool:
    running = status.state in ("running", "external")
    return (running, status.pid, status.started_at) == (inst.running, inst.pid, inst.started_at)


class StatusCache:
    """`get()` returns the components' status, re-probing only when due or when it changed."""

    def __init__(
        self,
        ctx: StackContext,
        *,
        status: Callable[[StackContext], list[ComponentStatus]] = stack_status,
        inspect: Inspect = _inspect,
        probe_every: float = PROBE_EVERY,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ctx = ctx
        self._status = status
        self._inspect = inspect
        self.probe_every = probe_every
        self._clock = clock
        self._monotonic = monotonic
        self._last: list[ComponentStatus] | None = None
        self._probed_at = 0.0

    def get(self) -> list[ComponentStatus]:
        """The status of every component (see the module docstring for how fresh)."""
        if self._last is None or self._monotonic() - self._probed_at >= self.probe_every:
            return self._probe()
        comps = self.ctx.definition.components
        if [s.name for s in self._last] != [c.name for c in self.ctx.definition.select(None)]:
            return self._probe()
        for status in self._last:
            if not _same_process(status, self._inspect(self.ctx, comps[status.name])):
                return self._probe()
        now = self._clock()
        return [
            dataclasses.replace(s, uptime_s=round(now - s.started_at, 1)) if s.started_at else s
            for s in self._last
        ]

    def _probe(self) -> list[ComponentStatus]:
        self._last = self._status(self.ctx)
        self._probed_at = self._monotonic()
        return self._last
