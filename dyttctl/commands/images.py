"""`dyttctl images build|list`: the container images the docker provider runs."""

from __future__ import annotations

import json
import time

import click
from rich.markup import escape
from rich.table import Table

from dyttctl.context import Operator, pass_operator
from stack.images import catalog, choice
from stack.images.builder import Builder


@click.group()
def images() -> None:
    """Build and list the stack's container images (local stand-ins need no registry)."""


@images.command()
@click.argument("names", nargs=-1, type=click.Choice(catalog.NAMES))
@click.option("--force", is_flag=True, help="Build even what is up to date.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_operator
def build(op: Operator, names: tuple[str, ...], force: bool, as_json: bool) -> None:
    """Build the local images (NAMES, default all): a Debian base made with debootstrap, then
    MariaDB, etcd, MinIO, Zipkin and dytt's app image on it. Up-to-date images are skipped."""
    started = time.monotonic()
    builder = Builder(op.stack, say=lambda line: op.err.print(f"[bold]images[/] {escape(line)}"))
    results = builder.build(list(names), force=force)
    if as_json:
        click.echo(json.dumps([r.to_json() for r in results], indent=2))
    else:
        for r in results:
            op.out.print(f"{r.tag:<24} {r.action:<10} {r.seconds:6.1f}s {r.size / 1e6:8.1f} MB")
    op.err.print(f"images ready in {time.monotonic() - started:.1f}s")


@images.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_operator
def list_images(op: Operator, as_json: bool) -> None:
    """Which image each component runs in docker, and whether it is here."""
    rows = choice.overview(op.stack)
    if as_json:
        click.echo(json.dumps([r.to_json() for r in rows], indent=2))
        return
    table = Table(title=f"images (stack.images = {op.stack.definition.stack.images})",
                  title_justify="left")
    for column in ("component", "runs", "official", "local", "size"):
        table.add_column(column, overflow="fold")
    for r in rows:
        table.add_row(r.component, r.runs or "[red]none here[/]", r.official or "-",
                      r.local or "-", f"{r.size / 1e6:.0f} MB" if r.size else "-")
    op.out.print(table)


COMMANDS = (images,)
