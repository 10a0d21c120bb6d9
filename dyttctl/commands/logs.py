"""`dyttctl logs`: the stack's structured logs, merged in time order, with trace links."""

from __future__ import annotations

import json
import re

import click
from rich.markup import escape

from dyttctl.context import Operator, pass_operator
from stack import logs as stack_logs
from stack.wiring import SERVICE_KINDS

LEVEL_STYLE = {"debug": "dim", "info": "green", "warning": "yellow", "error": "red",
               "critical": "bold red"}
COMPONENT_STYLES = ("cyan", "magenta", "blue", "bright_green", "bright_magenta", "bright_cyan")


def _render(op: Operator, line: stack_logs.LogLine, zipkin: str) -> str:
    names = sorted(c for c in op.stack.definition.components)
    colour = COMPONENT_STYLES[names.index(line.component) % len(COMPONENT_STYLES)] \
        if line.component in names else "white"
    extras = " ".join(f"{k}={v}" for k, v in line.fields.items() if v is not None)
    text = (f"[dim]{line.ts:%H:%M:%S.%f}"[:-3] + "[/] "
            f"[{colour}]{line.component}/{line.instance[:6]}[/] "
            f"[{LEVEL_STYLE.get(line.level, 'white')}]{line.level.upper():<7}[/] "
            f"{escape(line.message)} [dim]{escape(extras)}[/]")
    if line.trace_id:
        text += f" [bold]trace[/] {zipkin}/zipkin/traces/{line.trace_id}"
    return text


@click.command()
@click.argument("components", nargs=-1)
@click.option("-f", "--follow", is_flag=True, help="Keep printing new lines as they come.")
@click.option("--since", help="Only lines newer than this: 30s, 10m, 2h, 1d.")
@click.option("--level", type=click.Choice(list(stack_logs.LEVELS)), help="Least severe level.")
@click.option("--grep", "pattern", help="Only lines whose message or fields match this regex.")
@click.option("--trace", "trace_id", help="Only the lines of one request (its X-Trace-Id).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@pass_operator
def logs(op: Operator, components: tuple[str, ...], follow: bool, since: str | None,
         level: str | None, pattern: str | None, trace_id: str | None, as_json: bool) -> None:
    """Show the logs of dytt's processes (all, or COMPONENTS), merged in time order."""
    known = op.stack.definition.components
    unknown = [c for c in components if c not in known]
    if unknown:
        raise click.UsageError(f"unknown component {unknown[0]!r}")
    chosen = list(components) or [n for n, c in known.items() if c.kind in SERVICE_KINDS]
    try:
        flt = stack_logs.Filter(
            since=stack_logs.cutoff(since), min_level=stack_logs.LEVELS.get(level or "", 0),
            pattern=re.compile(pattern) if pattern else None, trace_id=trace_id,
        )
    except (ValueError, re.error) as exc:
        raise click.UsageError(str(exc)) from exc
    zipkin = op.stack.endpoint(known["zipkin"])

    def show(line: stack_logs.LogLine) -> None:
        if as_json:
            click.echo(json.dumps(line.to_json(), default=str))
        else:
            op.out.print(_render(op, line, zipkin), highlight=False)

    follower = stack_logs.Follower(op.stack.log_dir, chosen, flt) if follow else None
    for line in stack_logs.read(op.stack.log_dir, chosen, flt):
        show(line)
    if follower is not None:
        try:
            for line in follower.follow():
                show(line)
        except KeyboardInterrupt:
            pass


COMMANDS = (logs,)
