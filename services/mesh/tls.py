"""mTLS material for gRPC: server and channel credentials from the PKI store, reloaded live.

Servers use `grpc.dynamic_ssl_server_credentials`, whose fetcher runs on every new handshake:
a rotated certificate is served from the next connection on, without a restart. The CRL is
reloaded the same way, when its file changes.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import grpc
from cryptography import x509

from pki.identity import identity_of
from pki.revocation import revoked_serials
from pki.store import PkiStore

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Material:
    """One identity's PEM material."""

    ca: bytes
    cert: bytes
    key: bytes


def _stamp(paths: list[Path]) -> tuple[float, ...]:
    return tuple(p.stat().st_mtime_ns if p.exists() else 0 for p in paths)


# how often a first load re-reads a key and certificate that do not match (50 ms apart)
MISMATCH_RETRIES = 20


class IdentityFiles:
    """An identity's certificate and key in the store, re-read when the files change."""

    def __init__(self, store: PkiStore, name: str) -> None:
        self.store = store
        self.name = name
        crt, key = store.leaf_paths(name)
        self._paths = [store.ca_cert_path, crt, key]
        self._lock = threading.Lock()
        self._stamp: tuple[float, ...] = ()
        self._material: Material | None = None

    def load(self) -> Material:
        """The current material (read from disk only when a file changed)."""
        with self._lock:
            # a renewal writes the key, then the certificate: a process starting in between has
            # no old pair to keep serving, so it waits a moment for the second file
            for attempt in range(MISMATCH_RETRIES + 1):
                stamp = _stamp(self._paths)
                if self._material is not None and stamp == self._stamp:
                    return self._material
                ca, crt, key = (p.read_bytes() for p in self._paths)
                if _key_matches(crt, key):
                    self._material = Material(ca, crt, key)
                    self._stamp = stamp
                    return self._material
                if self._material is not None:
                    # keep serving the old pair until both files landed
                    return self._material
                if attempt < MISMATCH_RETRIES:
                    time.sleep(0.05)
            raise RuntimeError(f"{self.name}: certificate and key do not match")


def _key_matches(cert_pem: bytes, key_pem: bytes) -> bool:
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    try:
        cert = x509.load_pem_x509_certificate(cert_pem)
        key = load_pem_private_key(key_pem, password=None)
    except ValueError:
        return False
    return cert.public_key() == key.public_key()


def server_credentials(files: IdentityFiles) -> grpc.ServerCredentials:
    """Server credentials that require a client certificate from our CA and follow rotation."""
    current = files.load()

    def config(material: Material) -> grpc.ServerCertificateConfiguration:
        return grpc.ssl_server_certificate_configuration(
            [(material.key, material.cert)], root_certificates=material.ca
        )

    def fetch() -> grpc.ServerCertificateConfiguration | None:
        nonlocal current
        try:
            latest = files.load()
        except Exception:  # a half-written file must never take the server down
            log.exception("reloading TLS material failed; keeping the current certificate")
            return None
        if latest == current:
            return None
        current = latest
        log.info("serving a rotated certificate", extra={"identity": files.name})
        return config(latest)

    return grpc.dynamic_ssl_server_credentials(
        config(current), fetch, require_client_authentication=True
    )


def channel_credentials(material: Material) -> grpc.ChannelCredentials:
    """Channel credentials presenting our certificate and trusting only our CA."""
    return grpc.ssl_channel_credentials(
        root_certificates=material.ca, private_key=material.key, certificate_chain=material.cert
    )


@dataclass(frozen=True)
class Peer:
    """The calling process, as its verified client certificate says."""

    identity: str | None
    serial: int


@lru_cache(maxsize=256)
def _peer_from_pem(pem: bytes) -> Peer:
    cert = x509.load_pem_x509_certificate(pem)
    return Peer(identity_of(cert), cert.serial_number)


def peer_of(context: grpc.ServicerContext) -> Peer | None:
    """The verified peer of an RPC, None when the transport carries no client certificate."""
    pems = context.auth_context().get("x509_pem_cert")
    return _peer_from_pem(pems[0]) if pems else None


class RevocationList:
    """The CA's revoked serials, re-read when the CRL file changes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._stamp: tuple[float, ...] = ()
        self._serials: frozenset[int] = frozenset()

    def is_revoked(self, serial: int) -> bool:
        """Whether `serial` is on the CRL right now."""
        with self._lock:
            stamp = _stamp([self.path])
            if stamp != self._stamp:
                self._serials = self._read()
                self._stamp = stamp
            return serial in self._serials

    def _read(self) -> frozenset[int]:
        if not self.path.exists():
            return frozenset()
        try:
            crl = x509.load_pem_x509_crl(self.path.read_bytes())
        except ValueError:
            log.exception("unreadable CRL %s; keeping the previous one", self.path)
            return self._serials
        return frozenset(revoked_serials(crl))
