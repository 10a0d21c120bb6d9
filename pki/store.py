"""The on-disk PKI layout; the only module here that touches the file system."""

from __future__ import annotations

import contextlib
import fcntl
import os
import secrets
import threading
from collections.abc import Iterator
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from pki.certutil import public_key_matches
from pki.errors import CertNotFound, InvalidMaterial
from pki.names import validate_name

PRIVATE_FILE_MODE = 0o600
PUBLIC_FILE_MODE = 0o644
DIR_MODE = 0o700

# Per root: the thread holding the store's lock, and how deeply (ops nest, flock would not).
_guards: dict[Path, threading.RLock] = {}
_depths: dict[Path, int] = {}
_guards_lock = threading.Lock()


def atomic_write(path: Path, data: bytes, mode: int) -> None:
    """Replace `path` with `data` so readers see the old or the new file, never a mix."""
    _ensure_dir(path.parent)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    # The mode is set at creation: a chmod afterwards would leave a window where a key is readable.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def _ensure_dir(directory: Path) -> None:
    if directory.is_dir():
        return
    _ensure_dir(directory.parent)
    with contextlib.suppress(FileExistsError):
        os.mkdir(directory, DIR_MODE)


def _fsync_dir(directory: Path) -> None:
    # Makes the rename itself durable; some file systems refuse O_RDONLY on dirs, which is fine.
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _read(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise CertNotFound(f"{what} not found at {path}") from None
    except OSError as exc:
        raise InvalidMaterial(f"cannot read {what} at {path}: {exc.strerror}") from None


def cert_pem(cert: x509.Certificate) -> bytes:
    """Return the PEM encoding of a certificate."""
    return cert.public_bytes(serialization.Encoding.PEM)


def key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    """Return the unencrypted PKCS8 PEM encoding of a private key."""
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _parse_cert(data: bytes, path: Path) -> x509.Certificate:
    try:
        return x509.load_pem_x509_certificate(data)
    except ValueError as exc:
        raise InvalidMaterial(f"unreadable certificate {path}: {exc}") from None


def _parse_key(data: bytes, path: Path) -> ec.EllipticCurvePrivateKey:
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise InvalidMaterial(f"unreadable private key {path}: {exc}") from None
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise InvalidMaterial(f"private key {path} is not an EC key")
    return key


class PkiStore:
    """Paths and load/save operations for everything under one PKI root directory."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    @property
    def ca_cert_path(self) -> Path:
        """Path of the CA certificate (the trust bundle every peer loads)."""
        return self.root / "ca.crt"

    @property
    def ca_key_path(self) -> Path:
        """Path of the CA private key."""
        return self.root / "ca.key"

    @property
    def crl_path(self) -> Path:
        """Path of the CA-signed revocation list."""
        return self.root / "ca.crl"

    @property
    def certs_dir(self) -> Path:
        """Directory holding the leaf certificates and keys."""
        return self.root / "certs"

    @property
    def jwt_private_path(self) -> Path:
        """Path of the Ed25519 JWT signing key."""
        return self.root / "jwt" / "private.pem"

    @property
    def jwt_public_path(self) -> Path:
        """Path of the Ed25519 JWT verification key."""
        return self.root / "jwt" / "public.pem"

    def leaf_paths(self, name: str) -> tuple[Path, Path]:
        """Return (certificate, key) paths of the leaf `name`."""
        # Validation doubles as path-traversal protection: names cannot hold '/' or '..'.
        validate_name(name)
        return self.certs_dir / f"{name}.crt", self.certs_dir / f"{name}.key"

    @property
    def lock_path(self) -> Path:
        """The file whose lock serialises writers (the supervisor's renewals, dyttctl certs)."""
        return self.root / ".lock"

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the store's writer lock across threads and processes; re-entrant per thread."""
        # Each file is replaced atomically, but a read-modify-write (a CRL entry, a leaf's key
        # then its certificate) from two writers at once could lose a revocation or pair a key
        # with the other writer's certificate.
        key = self.root.resolve()
        with _guards_lock:
            guard = _guards.setdefault(key, threading.RLock())
        with guard:
            depth = _depths.get(key, 0)
            _depths[key] = depth + 1
            try:
                if depth:
                    yield
                    return
                _ensure_dir(self.root)
                fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, PRIVATE_FILE_MODE)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX)
                    yield
                finally:
                    os.close(fd)  # closing releases the flock
            finally:
                _depths[key] = depth

    def has_ca(self) -> bool:
        """Return True if both CA files exist."""
        return self.ca_cert_path.exists() and self.ca_key_path.exists()

    def has_leaf(self, name: str) -> bool:
        """Return True if both files of leaf `name` exist."""
        crt, key = self.leaf_paths(name)
        return crt.exists() and key.exists()

    def has_jwt_keypair(self) -> bool:
        """Return True if both JWT key files exist."""
        return self.jwt_private_path.exists() and self.jwt_public_path.exists()

    def load_ca(self) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
        """Load the CA certificate and key; CertNotFound or InvalidMaterial on trouble."""
        return self._load_pair(self.ca_cert_path, self.ca_key_path, "CA")

    def load_ca_cert(self) -> x509.Certificate:
        """Load only the CA certificate (no private key needed)."""
        return _parse_cert(_read(self.ca_cert_path, "CA certificate"), self.ca_cert_path)

    def save_ca(self, cert: x509.Certificate, key: ec.EllipticCurvePrivateKey) -> None:
        """Write the CA key then certificate, each atomically."""
        self._save_pair(self.ca_cert_path, self.ca_key_path, cert, key)

    def load_leaf(self, name: str) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
        """Load leaf `name`; InvalidMaterial if the key does not match the certificate."""
        crt, key = self.leaf_paths(name)
        return self._load_pair(crt, key, f"certificate {name!r}")

    def load_leaf_cert(self, name: str) -> x509.Certificate:
        """Load only the certificate of leaf `name`."""
        crt, _ = self.leaf_paths(name)
        return _parse_cert(_read(crt, f"certificate {name!r}"), crt)

    def save_leaf(self, name: str, cert: x509.Certificate, key: ec.EllipticCurvePrivateKey) -> None:
        """Write leaf `name`'s key then certificate, each atomically."""
        crt, key_path = self.leaf_paths(name)
        self._save_pair(crt, key_path, cert, key)

    def list_leaves(self) -> list[tuple[str, x509.Certificate]]:
        """Return (name, certificate) for every leaf on disk, sorted by name."""
        if not self.certs_dir.is_dir():
            return []
        out = []
        for crt in sorted(self.certs_dir.glob("*.crt")):
            out.append((crt.stem, _parse_cert(_read(crt, "certificate"), crt)))
        return out

    def load_crl(self) -> x509.CertificateRevocationList | None:
        """Load the CRL, or None if none has been written yet."""
        if not self.crl_path.exists():
            return None
        data = _read(self.crl_path, "CRL")
        try:
            return x509.load_pem_x509_crl(data)
        except ValueError as exc:
            raise InvalidMaterial(f"unreadable CRL {self.crl_path}: {exc}") from None

    def save_crl(self, crl: x509.CertificateRevocationList) -> None:
        """Write the CRL atomically."""
        data = crl.public_bytes(serialization.Encoding.PEM)
        atomic_write(self.crl_path, data, PUBLIC_FILE_MODE)

    def load_jwt_private(self) -> bytes:
        """Return the JWT signing key PEM."""
        return _read(self.jwt_private_path, "JWT private key")

    def load_jwt_public(self) -> bytes:
        """Return the JWT verification key PEM."""
        return _read(self.jwt_public_path, "JWT public key")

    def save_jwt_keypair(self, private_pem: bytes, public_pem: bytes) -> None:
        """Write the JWT key pair, private key first, each atomically."""
        atomic_write(self.jwt_private_path, private_pem, PRIVATE_FILE_MODE)
        atomic_write(self.jwt_public_path, public_pem, PUBLIC_FILE_MODE)

    def _load_pair(
        self, crt: Path, key_path: Path, what: str
    ) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
        cert = _parse_cert(_read(crt, what), crt)
        key = _parse_key(_read(key_path, f"{what} key"), key_path)
        # A mismatch usually means we raced a rotation between the two reads; callers may retry.
        if not public_key_matches(cert, key):
            raise InvalidMaterial(f"{key_path} does not match {crt}")
        return cert, key

    def _save_pair(
        self, crt: Path, key_path: Path, cert: x509.Certificate, key: ec.EllipticCurvePrivateKey
    ) -> None:
        if not public_key_matches(cert, key):
            raise InvalidMaterial(f"refusing to write a key that does not match {crt.name}")
        # Readers check that the two match and keep (or retry) the old pair in between.
        with self.lock():
            atomic_write(key_path, key_pem(key), PRIVATE_FILE_MODE)
            atomic_write(crt, cert_pem(cert), PUBLIC_FILE_MODE)
