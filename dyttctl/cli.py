"""The `dyttctl` root group: global options, error mapping, and the commands."""

from __future__ import annotations

from pathlib import Path

import click

from dyttctl.commands import (
    certs,
    cluster,
    control,
    doctor,
    images,
    logs,
    seed,
    stack,
    traces,
    tui,
    watch,
)
from dyttctl.context import Operator
from pki.errors import PkiError
from stack.errors import StackError


class DyttGroup(click.Group):
    """Maps the stack's and the PKI's errors to one-line failures (exit 1), for every command."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except (StackError, PkiError) as exc:
            raise click.ClickException(str(exc)) from exc


@click.group(cls=DyttGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--home",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="DYTT_HOME",
    help="State dir (data, logs, pids, certificates). Default: .dytt/ in the project.",
)
@click.option(
    "--config",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Config file merged over the stack definition. Default: HOME/dytt.toml if present.",
)
@click.option(
    "--provider",
    type=click.Choice(["native", "docker", "external"]),
    help="Run the infrastructure with this provider instead of the configured one.",
)
@click.version_option(package_name="dytt")
@click.pass_context
def cli(ctx: click.Context, home: Path | None, config: Path | None, provider: str | None) -> None:
    """Run and watch the dytt stack."""
    ctx.obj = Operator(home=home, config=config, provider=provider)


for module in (stack, control, doctor, certs, logs, watch, traces, seed, tui, images, cluster):
    for command in module.COMMANDS:
        cli.add_command(command)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="dyttctl")
