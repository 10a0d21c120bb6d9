"""The bridge between the stack and the PKI: which identities exist and where their files are."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pki import ops
from pki.issue import default_sans
from pki.store import PkiStore
from stack.state import StackContext

# The operator's own client certificate (health checks, `certs inspect HOST:PORT`).
CLIENT_IDENTITY = "dyttctl"


def pki_store(ctx: StackContext) -> PkiStore:
    """The stack's PKI store, under the state dir."""
    return PkiStore(ctx.home / "pki")


def identities(ctx: StackContext) -> dict[str, list[str]]:
    """Every identity the stack needs, with its SANs: each service, the gateway, dyttctl."""
    names: dict[str, list[str]] = {}
    for comp in ctx.definition.components.values():
        if comp.kind in ("service", "gateway"):
            sans = default_sans(comp.name)
            host = ctx.host(comp)
            names[comp.name] = sans if host in sans else [*sans, host]
    names[CLIENT_IDENTITY] = default_sans(CLIENT_IDENTITY)
    return names


def ensure(ctx: StackContext) -> list[str]:
    """Create whatever material is missing or expiring; never overwrites valid material."""
    return ops.ensure_material(pki_store(ctx), identities(ctx))


@dataclass(frozen=True)
class TlsPaths:
    """The files one identity uses for mTLS."""

    ca: Path
    cert: Path
    key: Path
    crl: Path


def tls_paths(ctx: StackContext, name: str) -> TlsPaths:
    """The CA, certificate, key and CRL paths of identity `name`."""
    store = pki_store(ctx)
    cert, key = store.leaf_paths(name)
    return TlsPaths(store.ca_cert_path, cert, key, store.crl_path)
