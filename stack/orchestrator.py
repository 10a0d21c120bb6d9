"""Plan the stack: up in dependency order (a wave at a time), down in reverse, and its status.

Starting one component is `lifecycle.start_unit`; this module only decides what starts when.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field

from stack import credentials
from stack.bootstrap import BOOTSTRAPS
from stack.definition import Component
from stack.lifecycle import Progress, provider_of, quiet, start_unit, wait_ready
from stack.readiness import probe, registered_instances
from stack.state import StackContext
from stack.wiring import SERVICE_KINDS

__all__ = ["ComponentStatus", "Progress", "depends_on_any", "down", "endpoints", "quiet",
           "status", "up", "waves"]


def waves(components: list[Component]) -> list[list[Component]]:
    """Components grouped so that each group depends only on earlier groups (order kept)."""
    level: dict[str, int] = {}
    for comp in components:  # already in dependency order
        level[comp.name] = 1 + max((level[d] for d in comp.depends_on if d in level), default=-1)
    groups: list[list[Component]] = [[] for _ in range(max(level.values(), default=-1) + 1)]
    for comp in components:
        groups[level[comp.name]].append(comp)
    return groups


def up(ctx: StackContext, names: list[str] | None = None, progress: Progress = quiet,
       running: Callable[[Component], bool] | None = None) -> None:
    """Start the chosen components and their dependencies in dependency order.

    Components whose dependencies are all ready start together (one wave); each is ready and
    bootstrapped before anything that depends on it starts. `running` tells whether a component
    runs already (default: its provider's record of its first process).
    """
    ctx.ensure_dirs()
    chosen = ctx.definition.select(names)
    if any(c.kind in SERVICE_KINDS for c in chosen):
        # a fresh clone comes up with one command: CA, leaf certificates, JWT keys
        for created in credentials.ensure(ctx):
            progress("pki", f"created {created}")
    for wave in waves(chosen):
        # the components of one wave do not depend on each other: they start together
        with ThreadPoolExecutor(max_workers=max(1, len(wave))) as pool:
            futures = [pool.submit(_up_one, ctx, comp, progress, running) for comp in wave]
        for future in futures:
            future.result()


def _up_one(ctx: StackContext, comp: Component, progress: Progress,
            running: Callable[[Component], bool] | None) -> None:
    """Start `comp` unless it runs, then wait until it is ready and bootstrap it."""
    provider = provider_of(ctx, comp)
    if running(comp) if running else provider.inspect(ctx, comp).running:
        progress(comp.unit, "already running")
        if running and not provider.inspect(ctx, comp).running:
            # it runs as further instances only (a rolling restart); the caller checks them
            progress(comp.unit, "running as further instances")
            return
        waited = wait_ready(ctx, comp, progress, provider)
    else:
        progress(comp.unit, "starting")
        waited = start_unit(ctx, comp, progress, provider=provider)
    if comp.bootstrap:
        progress(comp.unit, "bootstrapping")
        BOOTSTRAPS[comp.bootstrap](ctx, comp)
    progress(comp.unit, f"ready ({waited:.1f}s)")


def down(ctx: StackContext, names: list[str] | None = None, progress: Progress = quiet) -> None:
    """Stop the chosen components (all when none), dependents first; a wave at a time."""
    chosen = ctx.definition.select(names) if names else ctx.definition.select(None)
    if names:
        # stopping a component also stops what depends on it, so nothing is left dangling
        wanted = {c.name for c in chosen if c.name in names}
        chosen = [c for c in ctx.definition.select(None) if depends_on_any(ctx, c, wanted)]

    def stop(comp: Component) -> None:
        provider = provider_of(ctx, comp)
        progress(comp.unit, "stopping")
        started = time.monotonic()
        stopped = provider.stop(ctx, comp)
        took = time.monotonic() - started
        progress(comp.unit, f"stopped ({took:.1f}s)" if stopped else "not running")

    for wave in reversed(waves(chosen)):
        # components of one wave do not depend on each other: they drain in parallel
        with ThreadPoolExecutor(max_workers=max(1, len(wave))) as pool:
            for future in [pool.submit(stop, comp) for comp in reversed(wave)]:
                future.result()


def depends_on_any(ctx: StackContext, comp: Component, names: set[str]) -> bool:
    """Whether `comp` is one of `names` or depends on one of them, directly or not."""
    if comp.name in names:
        return True
    return any(depends_on_any(ctx, ctx.definition.components[d], names) for d in comp.depends_on)


@dataclass
class ComponentStatus:
    """One row of `dyttctl status`."""

    name: str
    kind: str
    provider: str
    state: str
    pid: int | None
    endpoints: dict[str, str]
    health: str
    uptime_s: float | None
    started_at: float | None
    extra: dict[str, object] = field(default_factory=dict)

    def to_json(self) -> dict[str, object]:
        return asdict(self)


def endpoints(ctx: StackContext, comp: Component) -> dict[str, str]:
    """Every address of the component, by port name."""
    return {name: ctx.endpoint(comp, name) for name in comp.ports}


def status(ctx: StackContext) -> list[ComponentStatus]:
    """The state, health and addresses of every component."""
    rows = []
    for comp in ctx.definition.select(None):
        provider_name = ctx.definition.provider_of(comp)
        inst = provider_of(ctx, comp).inspect(ctx, comp)
        if provider_name == "external":
            state = "external"
        else:
            state = "running" if inst.running else "stopped"
        health = str(probe(ctx, comp)) if inst.running else "-"
        now = time.time()
        extra: dict[str, object] = {}
        if comp.kind in SERVICE_KINDS:
            extra["instances"] = registered_instances(ctx, comp)
        rows.append(
            ComponentStatus(
                name=comp.name,
                kind=comp.kind,
                provider=provider_name,
                state=state,
                pid=inst.pid,
                endpoints=endpoints(ctx, comp),
                health=health,
                uptime_s=round(now - inst.started_at, 1) if inst.started_at else None,
                started_at=inst.started_at,
                extra=extra,
            )
        )
    return rows
