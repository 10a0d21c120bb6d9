"""Starting one unit: preflight, start, ready, and (dytt's own processes) registered in etcd.

`start_unit` is the one way a process of the stack is started: `orchestrator.up` calls it for
each component of a wave, the supervisor for a start, a scale, a rolling restart or a restart
after a crash. What differs between them (a replacement gateway sharing its predecessor's port,
the supervisor tracking the process from the moment it is spawned) is a parameter.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from stack import providers
from stack.definition import Component
from stack.errors import PortTaken, ReadinessTimeout, StackError, StartFailed
from stack.ports import holder, is_free
from stack.providers import Instance, Provider
from stack.readiness import Health, probe, registered_instances
from stack.state import StackContext
from stack.wiring import SERVICE_KINDS

# Called with (component name, what is happening) so a CLI or TUI can show progress.
Progress = Callable[[str, str], None]

REGISTER_TIMEOUT = 30.0


def quiet(_name: str, _event: str) -> None:
    """A progress callback that shows nothing."""


def provider_of(ctx: StackContext, comp: Component) -> Provider:
    """The provider that runs `comp`."""
    return providers.get(ctx.definition.provider_of(comp))


def preflight(ctx: StackContext, comp: Component) -> None:
    """Fail with the holder's name if a port the component binds is taken."""
    host = ctx.host(comp)
    for port_name, port in comp.ports.items():
        if not is_free(host, port):
            raise PortTaken(
                f"{comp.name}: port {port} ({port_name}) on {host} is taken by {holder(port)}; "
                f"free it or override it with DYTT_{comp.name.upper()}__PORTS__{port_name.upper()}"
            )


def wait_ready(ctx: StackContext, comp: Component, progress: Progress = quiet,
               provider: Provider | None = None) -> float:
    """Poll the readiness check until it passes; seconds waited. Fails early if it exits."""
    provider = provider or provider_of(ctx, comp)
    start = time.monotonic()
    deadline = start + comp.ready.timeout
    health = Health(False, "not checked")
    while time.monotonic() < deadline:
        health = probe(ctx, comp, timeout=min(2.0, comp.ready.timeout))
        if health.ok:
            return time.monotonic() - start
        if not provider.inspect(ctx, comp).running:
            tail = provider.log_tail(ctx, comp)
            if provider.name == "native":
                # reaped (when we started it) and its record gone: no zombie, nothing to adopt
                provider.stop(ctx, comp)
            raise StartFailed(f"{comp.name} exited during start-up; last lines of its log:\n"
                              f"{tail}")
        progress(comp.unit, f"waiting ({health.detail})")
        time.sleep(comp.ready.interval)
    raise ReadinessTimeout(
        f"{comp.name} not ready after {comp.ready.timeout:g}s ({health.detail}); "
        f"last lines of its log:\n{provider.log_tail(ctx, comp)}"
    )


def wait_registered(ctx: StackContext, comp: Component, pid: int | None,
                    timeout: float = REGISTER_TIMEOUT) -> None:
    """Until etcd lists this very process (its pid) under the component."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(i.get("pid") == pid for i in registered_instances(ctx, comp)):
            return
        time.sleep(0.1)
    raise StackError(f"{comp.unit} did not register in etcd within {timeout:g}s")


def start_unit(ctx: StackContext, comp: Component, progress: Progress = quiet, *,
               provider: Provider | None = None, share_port: bool = False,
               started: Callable[[Instance], None] | None = None) -> float:
    """Take `comp` from preflight to started, ready and (services, gateway) registered with its
    pid; the seconds it took to get ready.

    `share_port`: it takes over the listening port of a process it replaces (SO_REUSEPORT), so
    that port is not checked. `started` sees the process as soon as it is spawned (and may fail
    the start). On failure the process may still run: the caller decides what to stop.
    """
    provider = provider or provider_of(ctx, comp)
    if provider.binds_ports and not share_port:
        preflight(ctx, comp)
    provider.start(ctx, comp)
    spawned = provider.inspect(ctx, comp)
    if started is not None:
        started(spawned)
    waited = wait_ready(ctx, comp, progress, provider)
    if comp.kind in SERVICE_KINDS and provider.name == "native":
        # readiness saw its address registered; the pid says it is this process, not the one
        # it replaces (whose key lingers until it deregisters or its lease runs out)
        wait_registered(ctx, comp, spawned.pid)
    return waited
