"""`dyttctl certs`: our CA, the components' certificates, the CRL and the JWT keys."""

from __future__ import annotations

import ipaddress
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import click
from rich.markup import escape
from rich.table import Table

from dyttctl.context import Operator, pass_operator
from pki import ops
from pki.certutil import utcnow
from pki.errors import MaterialExists
from pki.identity import spiffe_id
from pki.inspect import CertInfo, HandshakeResult, expiring, probe_tls
from stack import credentials
from stack.supervisor.renewal import configured_lifetime, leaf_renew_at

CA_NAME = "CA"  # certificate names are lowercase, so this cannot clash with a leaf


# PkiError becomes a one-line failure (exit 1) in the root group, as StackError does.
@click.group()
def certs() -> None:
    """Our CA, service certificates and JWT keys."""


def _name_of(info: CertInfo) -> str:
    return CA_NAME if info.is_ca else (info.identity or info.common_name)


def _summary(op: Operator, name: str, info: CertInfo) -> None:
    op.out.print(escape(f"{name}: {info.subject}"))
    if info.sans:
        op.out.print(escape(f"  SANs       {', '.join(info.sans)}"))
    op.out.print(f"  serial     {info.serial}")
    op.out.print(f"  not after  {info.not_after:%Y-%m-%d %H:%M} UTC ({info.days_left:.1f} days)")
    op.out.print(f"  sha256     {info.fingerprint_sha256}")


@certs.command()
@click.option("--force", is_flag=True, help="Replace an existing CA (every leaf is then stale).")
@pass_operator
def init(op: Operator, force: bool) -> None:
    """Create the CA (ECDSA P-256) and the JWT key pair if missing."""
    try:
        info, created = credentials.init(op.stack, force=force)
    except MaterialExists:
        where = credentials.pki_store(op.stack).root
        raise click.ClickException(
            f"a CA already exists in {where}; use --force to replace it "
            "(every certificate it signed must then be re-issued)"
        ) from None
    _summary(op, CA_NAME, info)
    for what in created:
        op.err.print(f"created {escape(what)}")
    stale = credentials.foreign_leaves(op.stack)
    if stale:
        # Peers trust only the new CA now: these leaves fail every handshake until re-issued.
        op.err.print(
            f"[yellow]issued by the old CA:[/] {escape(', '.join(stale))} "
            "(run `dyttctl certs rotate --all`)"
        )


@certs.command()
@click.argument("name")
@click.option("--san", "sans", multiple=True, help="Extra SAN (DNS name or IP); repeatable.")
@click.option(
    "--days", type=click.IntRange(min=1), default=7, show_default=True, help="Lifetime in days."
)
@pass_operator
def issue(op: Operator, name: str, sans: tuple[str, ...], days: int) -> None:
    """Issue (or replace) NAME's certificate with the stack's SANs for it plus --san."""
    info = ops.issue(
        credentials.pki_store(op.stack), name, credentials.sans_for(op.stack, name, [*sans]), days
    )
    if name not in credentials.identities(op.stack):
        op.err.print(f"note: {escape(name)} is not a component of the stack; default SANs used")
    _summary(op, name, info)


def _row_style(info: CertInfo, within: float) -> str:
    if info.days_left <= 0:
        return "red"
    return "yellow" if expiring(info, within) else ""


def _renewals(op: Operator, infos: list[CertInfo]) -> dict[str, datetime]:
    """When the supervisor renews each leaf, by serial (the CA is not renewed)."""
    lifetime = configured_lifetime(op.stack)
    ca_end = next((i.not_after for i in infos if i.is_ca), None)
    return {i.serial: leaf_renew_at(i.not_before, i.not_after, lifetime, ca_end)[0]
            for i in infos if not i.is_ca}


@certs.command("list")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option(
    "--check", is_flag=True, help="Exit 1 if any is expired, expiring within DAYS, or revoked."
)
@click.option(
    "--within",
    type=click.FloatRange(min=0),
    default=2.0,
    show_default=True,
    metavar="DAYS",
    help="Days before expiry that count as expiring.",
)
@pass_operator
def list_(op: Operator, as_json: bool, check: bool, within: float) -> None:
    """Every certificate: name, subject, SANs, serial, expiry, renewal, revocation."""
    store = credentials.pki_store(op.stack)
    infos = ops.list_certs(store)
    renews = _renewals(op, infos)
    now = utcnow()
    if as_json:
        docs = []
        for i in infos:
            when = renews.get(i.serial)
            renews_at = when.isoformat() if when else None
            docs.append({"name": _name_of(i), **i.to_json_dict(), "renews_at": renews_at})
        click.echo(json.dumps(docs, indent=2))
    else:
        table = Table(title=f"certificates in {store.root}", title_justify="left")
        table.add_column("name", no_wrap=True)
        table.add_column("subject", overflow="fold")
        table.add_column("SANs", overflow="fold", min_width=9)
        table.add_column("serial", overflow="fold")
        table.add_column("not after", min_width=10)
        table.add_column("days left", justify="right", no_wrap=True)
        # while the supervisor runs; "due" when it is past time (no supervisor?)
        table.add_column("renews", justify="right", no_wrap=True)
        table.add_column("revoked", no_wrap=True)
        for i in infos:
            # the spiffe:// SAN repeats the name column; the JSON output keeps it
            sans = [s for s in i.sans if not s.startswith("spiffe://")]
            table.add_row(
                escape(_name_of(i)),
                escape(i.subject),
                escape("\n".join(sans) or "-"),
                i.serial,
                f"{i.not_after:%Y-%m-%d %H:%M}",
                f"{i.days_left:.1f}",
                _renews_in(renews.get(i.serial), now),
                "[red]yes[/]" if i.revoked else "no",
                style=_row_style(i, within),
            )
        op.out.print(table)
    if not check:
        return
    problems = ops.check(infos, within)
    stale = credentials.foreign_leaves(op.stack)
    problems += [f"certificate {name}: not issued by the current CA" for name in stale]
    if not any(i.is_ca for i in infos):
        problems.append(f"no CA in {store.root} (run `dyttctl certs init`)")
    if problems:
        for line in problems:
            op.err.print(f"[red]{escape(line)}[/]")
        raise click.ClickException(f"{len(problems)} certificate problem(s)")


def _renews_in(when: datetime | None, now: datetime) -> str:
    # the dashboard's formatting; imported here: the cockpit package is slow to import
    from dyttctl.cockpit import fmt

    return fmt.DASH if when is None else fmt.renews((when - now).total_seconds())


def parse_target(value: str) -> Path | tuple[str, int]:
    """An existing file wins; else HOST:PORT, with IPv6 hosts in brackets ([::1]:443)."""
    path = Path(value)
    if path.is_file():
        return path
    host, sep, port = value.rpartition(":")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            host = ""
    elif ":" in host:
        host = ""  # an unbracketed IPv6 address: the port cannot be told from the address
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise click.UsageError(
            f"{value!r} is neither an existing file nor HOST:PORT (IPv6: [ADDR]:PORT)"
        )
    return host, int(port)


def _print_cert(op: Operator, depth: int, doc: dict[str, Any]) -> None:
    identity = f"{doc['identity']} ({spiffe_id(doc['identity'])})" if doc["identity"] else "-"
    lines = [
        ("identity", identity),
        ("issuer", doc["issuer"]),
        ("chain", doc.get("trust")),
        ("SANs", ", ".join(doc["sans"]) or "-"),
        ("key usage", ", ".join(doc["key_usages"]) or "-"),
        ("EKU", ", ".join(doc["extended_key_usages"]) or "-"),
        ("CA", "yes" if doc["is_ca"] else None),
        ("serial", doc["serial"]),
        ("valid", f"{doc['not_before']} to {doc['not_after']} ({doc['days_left']:.1f} days left)"),
        ("sha256", doc["fingerprint_sha256"]),
        ("revoked", "[red]yes[/]" if doc["revoked"] else None),
    ]
    op.out.print(f"[bold]#{depth}[/] {escape(doc['subject'])}")
    for label, value in lines:
        if value is not None:
            text = value if label == "revoked" else escape(value)
            op.out.print(f"    {label:<10} {text}")


def _handshake_doc(target: str, result: HandshakeResult) -> dict[str, Any]:
    return {
        "target": target,
        "ok": result.ok,
        "error": result.error,
        "tls_version": result.tls_version,
        "cipher": result.cipher,
        "alpn": result.alpn,
        "chain": [c.to_json_dict() for c in result.peer_chain],
    }


def _print_inspection(op: Operator, doc: dict[str, Any]) -> None:
    if "target" in doc:
        verdict = "[green]ok[/]" if doc["ok"] else f"[red]failed[/]: {escape(doc['error'])}"
        who = credentials.CLIENT_IDENTITY
        op.out.print(f"handshake with {escape(doc['target'])} as {who}: {verdict}")
        for label in ("tls_version", "cipher", "alpn"):
            op.out.print(f"    {label.replace('_', ' '):<11} {escape(doc[label] or '-')}")
        if doc["chain"]:
            # after a failed verification this is only what the server showed, not a chain
            op.out.print("peer chain:" if doc["ok"] else "the server presented:")
    for depth, cert in enumerate(doc["chain"]):
        _print_cert(op, depth, cert)


@certs.command()
@click.argument("target", metavar="FILE|HOST:PORT")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_operator
def inspect(op: Operator, target: str, as_json: bool) -> None:
    """Show a certificate file, or do a real mTLS handshake with HOST:PORT as dyttctl."""
    where = parse_target(target)
    if isinstance(where, Path):
        entries = credentials.describe_file(op.stack, where)
        chain = [{**e.info.to_json_dict(), "trust": e.trust} for e in entries]
        doc: dict[str, Any] = {"file": str(where), "chain": chain}
    else:
        # The client certificate must exist (and be current) before we can present it.
        for created in credentials.ensure(op.stack):
            op.err.print(f"created {escape(created)}")
        paths = credentials.tls_paths(op.stack, credentials.CLIENT_IDENTITY)
        result = probe_tls(where[0], where[1], paths.ca, paths.cert, paths.key)
        doc = _handshake_doc(target, result)
    if as_json:
        click.echo(json.dumps(doc, indent=2))
    else:
        _print_inspection(op, doc)
    if doc.get("ok") is False:
        raise click.ClickException(f"handshake with {target} failed: {doc['error']}")


@certs.command()
@click.argument("name", required=False)
@click.option("--all", "all_", is_flag=True, help="Rotate every leaf certificate on disk.")
@pass_operator
def rotate(op: Operator, name: str | None, all_: bool) -> None:
    """Re-issue NAME (or --all) with a new key and serial and the same SANs."""
    if (name is not None) == all_:
        raise click.UsageError("give either NAME or --all")
    store = credentials.pki_store(op.stack)
    names = [n for n, _ in store.list_leaves()] if all_ else [name or ""]
    if not names:
        op.err.print("no certificates to rotate")
    for leaf in names:
        old = format(store.load_leaf_cert(leaf).serial_number, "X")
        new = ops.rotate(store, leaf)
        op.out.print(f"{escape(leaf)}: {old} -> {new.serial}")


@certs.command()
@click.argument("name")
@pass_operator
def revoke(op: Operator, name: str) -> None:
    """Add NAME's current certificate to the CRL; servers refuse it from the next handshake."""
    serial = ops.revoke(credentials.pki_store(op.stack), name)
    op.out.print(f"{serial:X}")
    op.err.print(f"revoked {escape(name)} (`dyttctl certs rotate {escape(name)}` issues a new one)")


COMMANDS = (certs,)
