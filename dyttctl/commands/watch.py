"""`dyttctl watch`: the service registry in etcd, as it is now and as it changes."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

import click
import etcd3
from etcd3.exceptions import Etcd3Exception
from rich import box
from rich.markup import escape
from rich.table import Table

from dyttctl.context import Operator, pass_operator
from services.mesh import registry
from services.mesh.registry import PREFIX, Entry, connect, format_address

EVENT_STYLE = {"registered": "green", "updated": "yellow", "deregistered": "red"}


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="milliseconds")


def _age(started_at: object) -> str:
    if not isinstance(started_at, (int, float)):
        return "-"
    minutes, secs = divmod(max(0, int(time.time() - started_at)), 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    if days:
        return f"{days}d{hours:02d}h"
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m{secs:02d}s"


def _record(event: str, entry: Entry, value: dict) -> dict:
    return {
        "event": event,
        "service": entry.service,
        "instance": entry.instance,
        "address": value.get("address"),
        "pid": value.get("pid"),
        "ts": _iso(time.time()),
    }


def _emit_json(record: dict) -> None:
    # click.echo flushes, so a reader on a pipe sees each event as it happens
    click.echo(json.dumps(record))


def _snapshot_table(rows: list[Entry]) -> Table:
    # no vertical rules: seven columns with spiffe identities still fit 80 terminal columns
    table = Table(title=f"registered services ({PREFIX})", title_justify="left",
                  box=box.SIMPLE_HEAD, pad_edge=False,
                  collapse_padding=True)
    for column in ("service", "instance", "address", "pid", "version", "identity",
                   "registered for"):
        # on a narrow terminal fold the short columns, never the address or identity
        table.add_column(column, overflow="fold", no_wrap=column in ("address", "identity"))
    for entry in rows:
        value = entry.value
        table.add_row(
            escape(entry.service), escape(entry.instance), escape(str(value.get("address", "-"))),
            str(value.get("pid", "-")), escape(str(value.get("version", "-"))),
            escape(str(value.get("identity", "-"))), _age(value.get("started_at")),
        )
    return table


@click.command()
@click.argument("services", nargs=-1)
@click.option("--once", is_flag=True, help="Print the current registrations and exit.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), metavar="SECONDS",
              help="Stop watching after SECONDS (default: until Ctrl-C).")
@pass_operator
def watch(op: Operator, services: tuple[str, ...], once: bool, as_json: bool,
          timeout: float | None) -> None:
    """Show the registered service instances, then every (de)registration as it happens."""
    etcd = op.stack.definition.components["etcd"]
    host = op.stack.host(etcd)
    endpoint = format_address(host, etcd.port)
    wanted = set(services)

    def relevant(entry: Entry) -> bool:
        return not wanted or entry.service in wanted

    client = connect([(host, etcd.port)])
    try:
        try:
            entries, revision = registry.read(client)
        except Etcd3Exception as exc:
            raise click.ClickException(
                f"etcd at {endpoint} is unreachable ({exc.__class__.__name__})") from exc
        # last known value per key: a delete event carries none, the line still wants an address
        known = {e.key: e.value for e in entries}
        rows = [e for e in entries if relevant(e)]

        if as_json:
            for entry in rows:
                _emit_json(_record("snapshot", entry, entry.value))
        elif rows:
            op.out.print(_snapshot_table(rows))
        else:
            op.err.print(f"no registrations under {PREFIX}"
                         + (f" for {', '.join(sorted(wanted))}" if wanted else ""))
        if once:
            return
        _follow(op, client, endpoint, revision, known, relevant, as_json, timeout)
    finally:
        client.close()


def _follow(op: Operator, client: etcd3.Etcd3Client, endpoint: str, revision: int,
            known: dict[str, dict], relevant: Callable[[Entry], bool], as_json: bool,
            timeout: float | None) -> None:
    """Print every change after `revision` until the timeout, Ctrl-C, or etcd goes away."""
    try:
        # from the snapshot's revision on: nothing between the read and the watch is missed
        changes, cancel = registry.watch(client, revision + 1)
    except Etcd3Exception as exc:
        raise click.ClickException(
            f"cannot watch etcd at {endpoint} ({exc.__class__.__name__})") from exc
    # cancelling ends the events iterator, so the timer needs no polling loop
    timer = threading.Timer(timeout, cancel) if timeout else None
    if timer:
        timer.daemon = True
        timer.start()
    until = f" for {timeout:g}s" if timeout else " (Ctrl-C to stop)"
    # stderr, so JSON on stdout stays clean; tests wait for this line before changing etcd
    op.err.print(f"watching {PREFIX} from revision {revision + 1}{until}")
    try:
        for change in changes:
            entry = change.entry
            if change.deleted:
                value = known.pop(entry.key, {})
                kind = "deregistered"
            else:
                value = entry.value
                kind = "registered" if change.version == 1 else "updated"
                known[entry.key] = value
            if not relevant(entry):
                continue
            record = _record(kind, entry, value)
            if as_json:
                _emit_json(record)
                continue
            # a revoked or expired lease deletes the key just like an explicit deregistration
            label = "deregistered (or lease expired)" if kind == "deregistered" else kind
            op.out.print(
                f"{record['ts']}  [{EVENT_STYLE[kind]}]{label:<31}[/] "
                f"{escape(record['service'])}/{escape(record['instance'])}  "
                f"{escape(str(record['address'] or '-'))}"
            )
    except KeyboardInterrupt:
        pass  # Ctrl-C is how an operator ends the watch: exit 0
    except Etcd3Exception as exc:
        raise click.ClickException(
            f"lost the watch on etcd at {endpoint} ({exc.__class__.__name__})") from exc
    finally:
        if timer:
            timer.cancel()
        cancel()


COMMANDS = (watch,)
