"""`dyttctl up`, `down` and `status`: the stack as a whole."""

from __future__ import annotations

import json
import time

import click
import psutil
from rich.markup import escape
from rich.table import Table

from dyttctl.context import Operator, pass_operator
from dyttctl.render import progress_printer
from stack import orchestrator
from stack.images import choice as image_choice
from stack.supervisor.control import SupervisorClient, stack_status
from stack.supervisor.launch import ensure_supervisor

STATE_STYLE = {"running": "green", "stopped": "dim", "external": "cyan"}


@click.command()
@click.argument("components", nargs=-1)
@pass_operator
def up(op: Operator, components: tuple[str, ...]) -> None:
    """Start the stack (or COMPONENTS and their dependencies) and wait until it is ready.

    The stack runs under its supervisor (started here if needed), which restarts what crashes.
    """
    started = time.monotonic()
    # unknown names fail before anything starts
    chosen = op.stack.definition.select(list(components))
    in_docker = [c for c in chosen if op.stack.definition.provider_of(c) == "docker"]
    if in_docker:
        # here rather than in the supervisor: a first build takes minutes and shows its steps
        image_choice.ensure(op.stack, in_docker, say=lambda line: op.err.print(
            f"[bold]images[/] {escape(line)}"))
    supervisor = ensure_supervisor(op.stack, op.config, op.environ)
    supervisor.call("up", progress_printer(op.err), names=list(components) or None)
    op.err.print(f"[green]stack ready[/] in {time.monotonic() - started:.1f}s")


@click.command()
@click.argument("components", nargs=-1)
@pass_operator
def down(op: Operator, components: tuple[str, ...]) -> None:
    """Stop the stack (or COMPONENTS and what depends on them), dependents first.

    Stopping the whole stack also ends its supervisor.
    """
    started = time.monotonic()
    supervisor = SupervisorClient(op.stack)
    if supervisor.alive():
        pid = supervisor.call("ping")["pid"]
        supervisor.call("down", progress_printer(op.err), names=list(components) or None)
        if not components:
            _wait_gone(pid)
    else:
        # no supervisor (it was killed): stop what the run records name, directly
        orchestrator.down(op.stack, list(components), progress_printer(op.err))
    op.err.print(f"stack down in {time.monotonic() - started:.1f}s")


def _wait_gone(pid: int, timeout: float = 10.0) -> None:
    """Until process `pid` has exited (a zombie counts: its parent may never reap it)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return
        except psutil.NoSuchProcess:
            return
        time.sleep(0.05)


def _uptime(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m{secs:02d}s"


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_operator
def status(op: Operator, as_json: bool) -> None:
    """Show every component: state, pid, endpoints, health and uptime."""
    rows = stack_status(op.stack)
    if as_json:
        doc = {"home": str(op.stack.home), "components": [r.to_json() for r in rows]}
        click.echo(json.dumps(doc, indent=2))
        return
    table = Table(title=f"dytt stack ({op.stack.home})", title_justify="left")
    for column in ("component", "kind", "provider", "state", "pid"):
        table.add_column(column, no_wrap=True)
    table.add_column("endpoints", overflow="fold", min_width=24)
    table.add_column("health", overflow="fold")
    table.add_column("uptime", no_wrap=True)
    for r in rows:
        endpoints = list(r.endpoints.values())
        instances = r.extra.get("instances")
        if isinstance(instances, list):
            endpoints += [f"[dim]instance[/] {i.get('address')} pid {i.get('pid')}"
                          for i in instances]
        for unit in r.extra.get("units") or []:  # type: ignore[union-attr]
            if unit["state"] != "running" or unit["restarts"]:
                # unhealthy (alive, failing its check), backoff, crash-loop, or restarted
                endpoints.append(f"[yellow]{unit['unit']}[/] {unit.get('address', '')} "
                                 f"{unit['state']}, {unit['restarts']} restarts "
                                 f"{unit['last_exit']}")
        style = STATE_STYLE.get(r.state, "red")
        health_style = "green" if r.health == "ok" else ("dim" if r.health == "-" else "red")
        table.add_row(
            r.name, r.kind, r.provider, f"[{style}]{r.state}[/]", str(r.pid or "-"),
            "\n".join(endpoints), f"[{health_style}]{r.health}[/]", _uptime(r.uptime_s),
        )
    op.out.print(table)


COMMANDS = (up, down, status)
