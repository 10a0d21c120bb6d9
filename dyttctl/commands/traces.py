"""`dyttctl traces` and `dyttctl trace`: recent requests from Zipkin, and one as a waterfall."""

from __future__ import annotations

import json
from datetime import datetime

import click
from rich import box
from rich.markup import escape
from rich.table import Table

from dyttctl.context import Operator, pass_operator
from dyttctl.render import trace_bar
from stack.zipkin import Span, span_tree, zipkin_client

NAME_WIDTH_MAX = 48


def _local(start: datetime | None) -> str:
    # short, so that a 32-digit trace id and the root still fit an 80-column terminal
    if start is None:
        return "-"
    local = start.astimezone()
    today = datetime.now(local.tzinfo).date()
    return local.strftime("%H:%M:%S" if local.date() == today else "%m-%d %H:%M")


@click.command()
@click.option("--service", help="Only traces that include this service.")
@click.option("--min-duration", "min_duration", type=click.FloatRange(min=0), metavar="MS",
              help="Only traces that took at least this many milliseconds.")
@click.option("--errors", is_flag=True, help="Only traces with a span tagged `error`.")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True,
              help="At most this many traces.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_operator
def traces(op: Operator, service: str | None, min_duration: float | None, errors: bool,
           limit: int, as_json: bool) -> None:
    """List recent traces from Zipkin, newest first."""
    client = zipkin_client(op.stack)
    found = client.traces(service=service, min_duration_ms=min_duration, errors_only=errors,
                          limit=limit)
    if as_json:
        doc = [{**t.to_json(), "ui_url": client.ui_url(t.trace_id)} for t in found]
        click.echo(json.dumps(doc, indent=2))
        return
    if not found:
        op.err.print("no traces match (Zipkin keeps the last hour by default)")
        return
    table = Table(title=f"recent traces ({client.base_url})", title_justify="left",
                  box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)
    table.add_column("trace id", no_wrap=True, min_width=32)
    table.add_column("root", overflow="fold", min_width=16)
    table.add_column("start", no_wrap=True)
    table.add_column("ms", justify="right", no_wrap=True)
    table.add_column("spans", justify="right", no_wrap=True)
    table.add_column("err", no_wrap=True)
    for t in found:
        table.add_row(
            t.trace_id, escape(f"{t.root_service}: {t.root_name}"), _local(t.start),
            f"{t.duration_ms:.1f}", str(t.span_count),
            "[bold red]yes[/]" if t.error else "",
        )
    op.out.print(table)
    # the hint goes to stderr so the table stays the only data on stdout
    op.err.print(f"[dim]details: dyttctl trace ID, or {client.ui_url('ID')}[/]")


@click.command()
@click.argument("trace_id")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_operator
def trace(op: Operator, trace_id: str, as_json: bool) -> None:
    """Show one trace as a waterfall: every span, nested under its parent, on a time bar."""
    client = zipkin_client(op.stack)
    rows = span_tree(client.trace(trace_id))
    spans = [s for _, s in rows]
    starts = [s.timestamp_us for s in spans if s.timestamp_us is not None]
    ends = [e for s in spans if (e := s.end_us) is not None]
    origin = min(starts) if starts else 0
    total = (max(ends) - origin) if starts and ends else 0

    def offset_ms(span: Span) -> float | None:
        return None if span.timestamp_us is None else (span.timestamp_us - origin) / 1000

    if as_json:
        doc = {
            "trace_id": spans[0].trace_id,
            "duration_ms": total / 1000,
            "ui_url": client.ui_url(spans[0].trace_id),
            "spans": [{"depth": depth, "offset_ms": offset_ms(s), **s.to_json()}
                      for depth, s in rows],
        }
        click.echo(json.dumps(doc, indent=2))
        return

    labels = [("  " * depth + s.name)[:NAME_WIDTH_MAX] for depth, s in rows]
    svc_w = max(len("service"), *(len(s.service) for s in spans))
    name_w = max(len("span"), *(len(label) for label in labels))
    fixed = svc_w + name_w + 9 + 9 + 4  # two right-aligned ms columns and the gaps
    bar_w = max(10, op.out.width - fixed - 1)

    op.out.print(f"[bold]trace {escape(spans[0].trace_id)}[/]  {len(spans)} spans  "
                 f"{total / 1000:.1f} ms")
    op.out.print(f"[dim]{'service':<{svc_w}} {'span':<{name_w}} {'start ms':>9} "
                 f"{'dur ms':>9} timeline[/]")
    for (_, span), label in zip(rows, labels, strict=True):
        offset = offset_ms(span)
        # pad before escaping: markup escapes must not count towards the column width
        line = (f"{escape(f'{span.service:<{svc_w}}')} {escape(f'{label:<{name_w}}')} "
                f"{'-' if offset is None else f'{offset:.1f}':>9} "
                f"{(span.duration_us or 0) / 1000:>9.1f} "
                f"{trace_bar(span, origin, total, bar_w)}")
        if span.error:
            line = f"[red]{line}[/]"
        if span.orphan:
            line += " [yellow](orphan: parent missing)[/]"
        op.out.print(line)
    op.out.print(f"zipkin: {client.ui_url(spans[0].trace_id)}")


COMMANDS = (traces, trace)
