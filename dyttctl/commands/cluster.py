"""`dyttctl cluster`: the stack rendered for Docker swarm or Kubernetes, and run on a swarm."""

from __future__ import annotations

import json
import time
from pathlib import Path

import click
from rich.table import Table

from dyttctl.context import Operator, pass_operator
from stack.cluster import engine, output
from stack.cluster.kubernetes import migration_job_name
from stack.cluster.plan import build_plan, host_address

TARGETS = ("swarm", "k8s")


def _default_out(op: Operator, target: str) -> Path:
    return op.stack.home / "cluster" / target


@click.group()
def cluster() -> None:
    """Run dytt's services and gateway on a Docker swarm or a Kubernetes cluster."""


@cluster.command()
@click.argument("target", type=click.Choice(TARGETS))
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Directory to write (replaced). Default: HOME/cluster/TARGET.")
@pass_operator
def render(op: Operator, target: str, out: Path | None) -> None:
    """Write the swarm stack (docker-stack.yml and its secrets) or the Kubernetes manifests.

    Issues whatever certificate is missing first. Infrastructure is reached at the hosts and
    ports of the definition (e.g. DYTT_MYSQL__HOST): set them to addresses the cluster reaches.
    """
    out = out or _default_out(op, target)
    plan = build_plan(op.stack)
    write = output.write_swarm if target == "swarm" else output.write_kubernetes
    files = write(plan, out)
    for path in files:
        click.echo(str(path))
    op.err.print(f"{len(files)} files in {out} (secret files mode 0600: keep them private)")
    if target == "k8s":
        op.err.print(f"apply: kubectl apply -f {out}/00-namespace.yaml -f {out}/10-settings.yaml "
                     f"-f {out}/20-secrets.yaml -f {out}/30-migrate.yaml && kubectl -n "
                     f"{plan.cluster.namespace} wait --for=condition=complete --timeout=10m "
                     f"job/{migration_job_name(plan)} && kubectl apply -f {out}",
                     soft_wrap=True)  # one line: a command to copy
    else:
        op.err.print(f"deploy: dyttctl cluster deploy --out {out}  (or: cd {out} && docker "
                     f"stack deploy --resolve-image never -c docker-stack.yml "
                     f"{plan.cluster.namespace})", soft_wrap=True)


@cluster.command()
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Where to render the stack first. Default: HOME/cluster/swarm.")
@click.option("--init", "init_swarm", is_flag=True,
              help="Make this engine a single-node swarm first if it is in none.")
@click.option("--timeout", type=click.FloatRange(min=1), default=300, show_default=True,
              help="Seconds to wait for every service to run its replicas.")
@pass_operator
def deploy(op: Operator, out: Path | None, init_swarm: bool, timeout: float) -> None:
    """Render the swarm stack, deploy it (or update it in place) and wait until it runs."""
    started = time.monotonic()
    out = out or _default_out(op, "swarm")
    plan = build_plan(op.stack)
    output.write_swarm(plan, out)
    client = engine.client()
    if init_swarm and engine.ensure_swarm(client, host_address()):
        op.err.print("this engine is now a single-node swarm manager")
    stack = plan.cluster.namespace
    engine.deploy(out, stack)
    engine.wait_converged(client, stack, timeout, lambda line: op.err.print(line))
    op.err.print(f"[green]swarm stack {stack} running[/] in {time.monotonic() - started:.1f}s; "
                 f"gateway on port {plan.gateway_port} of every swarm node")


@cluster.command()
@click.option("--leave", is_flag=True, help="Then leave the swarm (ends a single-node one).")
@pass_operator
def down(op: Operator, leave: bool) -> None:
    """Remove the swarm stack (services, its network and secrets) and wait until it is gone."""
    client = engine.client()
    stack = op.stack.definition.cluster.namespace
    removed = engine.remove(client, stack)
    op.err.print(f"swarm stack {stack} removed" if removed else f"no swarm stack {stack}")
    if leave and engine.swarm_state(client) == "active":
        engine.leave_swarm(client)
        op.err.print("left the swarm")


@cluster.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_operator
def ps(op: Operator, as_json: bool) -> None:
    """Show the swarm stack's services: replicas wanted and running (healthy)."""
    stack = op.stack.definition.cluster.namespace
    rows = engine.states(engine.client(), stack)
    if as_json:
        click.echo(json.dumps({"stack": stack, "services": [r.to_json() for r in rows]},
                              indent=2))
        return
    if not rows:
        op.err.print(f"no swarm stack {stack}")
        return
    table = Table(title=f"swarm stack {stack}", title_justify="left")
    for column in ("service", "running", "wanted", "state", "last error"):
        table.add_column(column, overflow="fold")
    for r in rows:
        state = "[green]converged[/]" if r.converged else "[yellow]converging[/]"
        running = f"{r.completed} done" if r.component == engine.MIGRATE else str(r.running)
        table.add_row(r.name, running, str(r.wanted), state, r.failed[-1] if r.failed else "")
    op.out.print(table)


COMMANDS = (cluster,)
