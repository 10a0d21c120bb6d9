"""`dyttctl certs`: our CA, the components' certificates, the CRL and the JWT keys."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click
from cryptography import x509
from rich.table import Table

from dyttctl.context import Operator, pass_operator
from pki import ops
from pki.errors import PkiError
from pki.inspect import CertInfo, describe, expiring, probe_tls
from stack import credentials

F = TypeVar("F", bound=Callable[..., Any])


def _pki_errors(fn: F) -> F:
    """PKI failures are one-line CLI failures (exit 1)."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except PkiError as exc:
            raise click.ClickException(str(exc)) from exc

    return wrapper  # type: ignore[return-value]


def _summary(op: Operator, info: CertInfo) -> None:
    op.out.print(f"{info.identity or info.subject}  serial {info.serial}  "
                 f"not after {info.not_after:%Y-%m-%d %H:%M} UTC ({info.days_left:.1f} days)")


@click.group()
def certs() -> None:
    """Our CA, service certificates, revocations and JWT keys."""


@certs.command()
@click.option("--force", is_flag=True, help="Replace an existing CA (leaves must be re-issued).")
@pass_operator
@_pki_errors
def init(op: Operator, force: bool) -> None:
    """Create the CA (ECDSA P-256) and the JWT key pair."""
    info = ops.init_ca(credentials.pki_store(op.stack), force=force)
    ops.ensure_material(credentials.pki_store(op.stack), {})
    op.out.print(f"CA {info.subject}\n  serial {info.serial}\n  not after {info.not_after:%F}\n"
                 f"  sha256 {info.fingerprint_sha256}")


@certs.command()
@click.argument("name")
@click.option("--san", "sans", multiple=True, help="Extra SAN (DNS name or IP); repeatable.")
@click.option("--days", type=click.IntRange(1, 825), default=7, show_default=True)
@pass_operator
@_pki_errors
def issue(op: Operator, name: str, sans: tuple[str, ...], days: int) -> None:
    """Issue (or replace) the certificate of NAME, with the stack's SANs for it plus --san."""
    known = credentials.identities(op.stack)
    base = known.get(name) or []
    info = ops.issue(credentials.pki_store(op.stack), name, [*base, *sans] or None, days)
    _summary(op, info)


@certs.command("list")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--check", is_flag=True, help="Exit 1 if any is expired, expiring or revoked.")
@click.option("--within", type=float, default=2.0, show_default=True,
              help="Days before expiry that count as expiring.")
@pass_operator
@_pki_errors
def list_(op: Operator, as_json: bool, check: bool, within: float) -> None:
    """Every certificate: identity, SANs, serial, expiry, revocation."""
    infos = ops.list_certs(credentials.pki_store(op.stack))
    if as_json:
        click.echo(json.dumps([i.to_json_dict() for i in infos], indent=2))
    else:
        table = Table(title="dytt certificates", title_justify="left")
        for column in ("identity", "SANs", "serial", "not after", "days left", "state"):
            table.add_column(column, overflow="fold")
        for i in infos:
            state = ("[red]revoked[/]" if i.revoked else "[red]expired[/]" if i.days_left <= 0
                     else "[yellow]expiring[/]" if expiring(i, within) else "[green]valid[/]")
            who = f"{i.common_name} (CA)" if i.is_ca else (i.identity or i.common_name)
            table.add_row(who,
                          ", ".join(i.sans), i.serial, f"{i.not_after:%F %H:%M}",
                          f"{i.days_left:.1f}", state)
        op.out.print(table)
    if check:
        problems = ops.check(infos, within)
        if problems:
            for line in problems:
                op.err.print(f"[red]{line}[/]")
            raise click.ClickException(f"{len(problems)} certificate problem(s)")


def _target(value: str) -> Path | tuple[str, int]:
    path = Path(value)
    if path.exists():
        return path
    host, sep, port = value.rpartition(":")
    if not sep or not port.isdigit() or not host:
        raise click.UsageError(f"{value!r} is neither an existing file nor HOST:PORT")
    return host.strip("[]"), int(port)


@certs.command()
@click.argument("target")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_operator
@_pki_errors
def inspect(op: Operator, target: str, as_json: bool) -> None:
    """Show a certificate FILE, or do a real mTLS handshake with HOST:PORT as dyttctl."""
    where = _target(target)
    if isinstance(where, Path):
        try:
            info = describe(x509.load_pem_x509_certificate(where.read_bytes()))
        except ValueError as exc:
            raise click.ClickException(f"{where}: not a PEM certificate") from exc
        doc: dict[str, Any] = {"file": str(where), "certificate": info.to_json_dict()}
        ok = True
    else:
        credentials.ensure(op.stack)
        paths = credentials.tls_paths(op.stack, credentials.CLIENT_IDENTITY)
        result = probe_tls(where[0], where[1], paths.ca, paths.cert, paths.key)
        ok = result.ok
        doc = {"target": target, "ok": result.ok, "error": result.error,
               "tls_version": result.tls_version, "cipher": result.cipher, "alpn": result.alpn,
               "chain": [c.to_json_dict() for c in result.peer_chain]}
    if as_json:
        click.echo(json.dumps(doc, indent=2, default=str))
    else:
        _print_inspection(op, doc)
    if not ok:
        raise click.ClickException(f"handshake with {target} failed: {doc['error']}")


def _print_inspection(op: Operator, doc: dict[str, Any]) -> None:
    if "target" in doc:
        verdict = "[green]ok[/]" if doc["ok"] else f"[red]failed[/]: {doc['error']}"
        op.out.print(f"handshake with {doc['target']}: {verdict}")
        op.out.print(f"  {doc['tls_version']}  {doc['cipher']}  alpn {doc['alpn']}")
    chain = doc.get("chain") or [doc["certificate"]]
    for depth, cert in enumerate(chain):
        op.out.print(f"[bold]#{depth}[/] {cert['subject']}  (issuer {cert['issuer']})")
        op.out.print(f"    identity {cert['identity']}  serial {cert['serial']}")
        op.out.print(f"    SANs {', '.join(cert['sans'])}")
        op.out.print(f"    usages {', '.join(cert['key_usages'] + cert['extended_key_usages'])}")
        op.out.print(f"    valid until {cert['not_after']}  sha256 {cert['fingerprint_sha256']}")


@certs.command()
@click.argument("name", required=False)
@click.option("--all", "all_", is_flag=True, help="Rotate every leaf certificate.")
@pass_operator
@_pki_errors
def rotate(op: Operator, name: str | None, all_: bool) -> None:
    """Re-issue NAME (or --all) with a new key; running servers serve it on the next handshake."""
    if bool(name) == all_:
        raise click.UsageError("give either NAME or --all")
    store = credentials.pki_store(op.stack)
    names = [n for n, _ in store.list_leaves()] if all_ else [name]
    for leaf in names:
        old = format(store.load_leaf_cert(leaf).serial_number, "X")
        new = ops.rotate(store, leaf)
        op.out.print(f"{leaf}: serial {old} -> {new.serial}")


@certs.command()
@click.argument("name")
@pass_operator
@_pki_errors
def revoke(op: Operator, name: str) -> None:
    """Revoke NAME's current certificate: every server refuses it from its next call on."""
    serial = ops.revoke(credentials.pki_store(op.stack), name)
    op.out.print(f"revoked {name}: serial {serial:X}")


COMMANDS = (certs,)
