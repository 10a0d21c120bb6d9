"""`dyttctl restart`, `scale`, `stop` and `start`: changing a running stack via its supervisor."""

from __future__ import annotations

import time

import click

from dyttctl.context import Operator, pass_operator
from dyttctl.render import progress_printer
from stack.supervisor.control import SupervisorClient


def _run(op: Operator, what: str, operation: str, **args: object) -> None:
    started = time.monotonic()
    SupervisorClient(op.stack).call(operation, progress_printer(op.err), **args)
    op.err.print(f"[green]{what}[/] in {time.monotonic() - started:.1f}s")


@click.command()
@click.argument("component")
@pass_operator
def restart(op: Operator, component: str) -> None:
    """Restart COMPONENT. Rolling for services and the gateway: each instance's replacement is
    healthy and registered before the old one deregisters and drains."""
    _run(op, f"{component} restarted", "restart", name=component)


@click.command()
@click.argument("spec", metavar="COMPONENT=N")
@pass_operator
def scale(op: Operator, spec: str) -> None:
    """Run N instances of a service (each on a free port, registered in etcd); removed
    instances drain first."""
    name, _, count = spec.partition("=")
    if not name or not count.isdigit():
        raise click.UsageError(f"expected COMPONENT=N, e.g. feed=3; got {spec!r}")
    _run(op, f"{name} scaled to {count}", "scale", name=name, count=int(count))


@click.command()
@click.argument("component")
@pass_operator
def stop(op: Operator, component: str) -> None:
    """Stop every instance of COMPONENT (what depends on it keeps running)."""
    _run(op, f"{component} stopped", "stop", name=component)


@click.command()
@click.argument("component")
@pass_operator
def start(op: Operator, component: str) -> None:
    """Start COMPONENT again (its dependencies must be running)."""
    _run(op, f"{component} started", "start", name=component)


COMMANDS = (restart, scale, stop, start)
