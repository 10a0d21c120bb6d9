"""`dyttctl install` and `dyttctl doctor`: the servers the stack needs on this machine."""

from __future__ import annotations

import json

import click
from rich.table import Table

from dyttctl.context import Operator, pass_operator
from stack import install as installer


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_operator
def doctor(op: Operator, as_json: bool) -> None:
    """Show what is installed or missing, and the exact command that gets each missing piece."""
    checks = installer.doctor(op.stack)
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
@pass_operator
def install(op: Operator) -> None:
    """Install whatever server the stack needs and is missing (apt, go install, Maven)."""
    got = installer.install(op.stack, say=lambda line: op.err.print(f"[bold]install[/] {line}"))
    op.err.print(f"installed: {', '.join(got)}" if got else "everything is installed")


COMMANDS = (doctor, install)
