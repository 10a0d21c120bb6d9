"""`dyttctl install` and `dyttctl doctor`: the servers the stack needs on this machine."""

from __future__ import annotations

import json

import click
from rich.table import Table

from dyttctl.context import Operator, pass_operator
from stack import install as installer

DOCKER = click.option("--docker", is_flag=True,
                      help="Also the Docker engine and debootstrap (the docker provider's needs).")


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@DOCKER
@pass_operator
def doctor(op: Operator, as_json: bool, docker: bool) -> None:
    """Show what is installed or missing, and the exact command that gets each missing piece."""
    checks = installer.doctor(op.stack, docker)
    if as_json:
        click.echo(json.dumps([c.to_json() for c in checks], indent=2))
    else:
        table = Table(title="what the native stack needs", title_justify="left")
        table.add_column("requirement")
        table.add_column("status")
        table.add_column("where / how to get it", overflow="fold")
        for c in checks:
            if c.found:
                table.add_row(c.name, "[green]installed[/]", c.found)
            else:
                table.add_row(c.name, "[red]missing[/]", c.how)
        op.out.print(table)
    missing = [c.name for c in checks if not c.found]
    if missing:
        raise click.ClickException(f"missing: {', '.join(missing)} (run `dyttctl install`)")


@click.command()
@DOCKER
@pass_operator
def install(op: Operator, docker: bool) -> None:
    """Install whatever server the stack needs and is missing (apt, go install, Maven); with
    --docker (or a component in docker) also the engine, started when it does not answer."""
    got = installer.install(op.stack, say=lambda line: op.err.print(f"[bold]install[/] {line}"),
                            docker=docker)
    op.err.print(f"installed: {', '.join(got)}" if got else "everything is installed")


COMMANDS = (doctor, install)
