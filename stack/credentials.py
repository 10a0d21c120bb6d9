"""The bridge between the stack and the PKI: which identities exist and where their files are.

Errors are `pki.errors.PkiError` (one line each); the CLI maps them, this module knows no click.
"""

from __future__ import annotations

import dataclasses
import ipaddress
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509

from pki import ops
from pki.certutil import is_issued_by
from pki.errors import CertNotFound, InvalidMaterial
from pki.inspect import CertInfo, describe
from pki.issue import default_sans
from pki.revocation import is_revoked
from pki.store import PkiStore
from stack.state import StackContext
from stack.wiring import SERVICE_KINDS

# The operator's own client certificate (health checks, `certs inspect HOST:PORT`).
CLIENT_IDENTITY = "dyttctl"


def pki_store(ctx: StackContext) -> PkiStore:
    """The stack's PKI store, under the state dir."""
    return PkiStore(ctx.home / "pki")


def _san_key(entry: str) -> str:
    # "::1" and "0:0::1" are the same SAN; a plain string comparison would add it twice.
    try:
        return str(ipaddress.ip_address(entry.strip()))
    except ValueError:
        return entry.strip().lower()


def _with_extra(sans: list[str], extra: list[str]) -> list[str]:
    have = {_san_key(s) for s in sans}
    out = list(sans)
    for entry in extra:
        if _san_key(entry) not in have:
            have.add(_san_key(entry))
            out.append(entry)
    return out


def identities(ctx: StackContext) -> dict[str, list[str]]:
    """Every identity the stack needs, with its SANs: each service, the gateway, dyttctl."""
    names: dict[str, list[str]] = {}
    for comp in ctx.definition.components.values():
        if comp.kind in SERVICE_KINDS:
            names[comp.name] = _with_extra(default_sans(comp.name), [ctx.host(comp)])
    names.setdefault(CLIENT_IDENTITY, default_sans(CLIENT_IDENTITY))
    return names


def sans_for(ctx: StackContext, name: str, extra: list[str] | None = None) -> list[str]:
    """The SANs `name` is issued with: the stack's (or the defaults) plus `extra`."""
    base = identities(ctx).get(name) or default_sans(name)
    return _with_extra(base, list(extra or []))


def ensure(ctx: StackContext) -> list[str]:
    """Create whatever material is missing or expiring; never overwrites valid material."""
    hours = ctx.definition.stack.cert_lifetime_hours
    if hours is None:
        return ops.ensure_material(pki_store(ctx), identities(ctx))
    return ops.ensure_material(pki_store(ctx), identities(ctx), days=hours / 24)


def init(ctx: StackContext, force: bool = False) -> tuple[CertInfo, list[str]]:
    """Create the CA (replacing one only if forced) and any missing JWT key pair."""
    store = pki_store(ctx)
    info = ops.init_ca(store, force=force)
    # With the new CA and its CRL in place, ensure_material over no leaves adds only JWT keys.
    return info, ops.ensure_material(store, {})


def foreign_leaves(ctx: StackContext) -> list[str]:
    """Leaves on disk that the current CA did not issue (e.g. left over by a forced init)."""
    store = pki_store(ctx)
    if not store.ca_cert_path.exists():
        return []
    ca = store.load_ca_cert()
    return [name for name, cert in store.list_leaves() if not is_issued_by(cert, ca)]


@dataclass(frozen=True)
class TlsPaths:
    """The files one identity uses for mTLS, and the stack's JWT keys."""

    ca: Path
    cert: Path
    key: Path
    crl: Path
    jwt_public: Path
    jwt_private: Path


def tls_paths(ctx: StackContext, name: str) -> TlsPaths:
    """The CA, certificate, key, CRL and JWT key paths of identity `name`."""
    known = identities(ctx)
    if name not in known:
        # Infra components (mysql, etcd...) have no certificate; asking for one is a bug.
        raise CertNotFound(f"{name!r} has no certificate identity (known: {', '.join(known)})")
    store = pki_store(ctx)
    cert, key = store.leaf_paths(name)
    return TlsPaths(
        store.ca_cert_path, cert, key, store.crl_path, store.jwt_public_path, store.jwt_private_path
    )


@dataclass(frozen=True)
class ChainEntry:
    """One certificate of a file, and how it relates to our CA."""

    info: CertInfo
    trust: str


def _read_certificates(path: Path) -> list[x509.Certificate]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidMaterial(f"cannot read {path}: {exc.strerror}") from None
    try:
        if b"-----BEGIN" in data:
            return x509.load_pem_x509_certificates(data)
        return [x509.load_der_x509_certificate(data)]
    except ValueError:
        raise InvalidMaterial(f"{path} holds no PEM or DER certificate") from None


def _trust(
    certs: list[x509.Certificate], index: int, ca: x509.Certificate | None, where: Path
) -> str:
    cert = certs[index]
    if ca is not None and cert == ca:
        return "our CA"
    if ca is not None and is_issued_by(cert, ca):
        return "issued by our CA"
    if index + 1 < len(certs) and is_issued_by(cert, certs[index + 1]):
        return "issued by the next certificate in the file"
    if is_issued_by(cert, cert):
        return "self-signed, not our CA"
    if ca is None:
        return f"unchecked: no CA at {where}"
    return "not issued by our CA"


def describe_file(ctx: StackContext, path: Path) -> list[ChainEntry]:
    """Every certificate in a PEM (or DER) file, checked against our CA and CRL."""
    certs = _read_certificates(path)
    store = pki_store(ctx)
    ca = store.load_ca_cert() if store.ca_cert_path.exists() else None
    crl = store.load_crl()
    entries = []
    for index, cert in enumerate(certs):
        trust = _trust(certs, index, ca, store.ca_cert_path)
        info = describe(cert)
        if trust == "issued by our CA" and crl is not None:
            info = dataclasses.replace(info, revoked=is_revoked(crl, cert.serial_number))
        entries.append(ChainEntry(info, trust))
    return entries
