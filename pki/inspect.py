"""Read-only views of certificates: a summary dataclass and a live TLS handshake probe."""

from __future__ import annotations

import dataclasses
import socket
import ssl
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509.oid import ExtendedKeyUsageOID

from pki.certutil import as_utc, common_name, is_ca, is_issued_by, utcnow
from pki.errors import CertNotFound, InvalidMaterial
from pki.identity import identity_of

_EKU_NAMES = {
    ExtendedKeyUsageOID.SERVER_AUTH: "serverAuth",
    ExtendedKeyUsageOID.CLIENT_AUTH: "clientAuth",
    ExtendedKeyUsageOID.CODE_SIGNING: "codeSigning",
    ExtendedKeyUsageOID.EMAIL_PROTECTION: "emailProtection",
    ExtendedKeyUsageOID.TIME_STAMPING: "timeStamping",
    ExtendedKeyUsageOID.OCSP_SIGNING: "OCSPSigning",
}
_KEY_USAGE_FIELDS = (
    "digital_signature",
    "content_commitment",
    "key_encipherment",
    "data_encipherment",
    "key_agreement",
    "key_cert_sign",
    "crl_sign",
)
# How long to wait for a TLS 1.3 server's verdict on our client certificate.
_VERDICT_WAIT = 1.0


@dataclass(frozen=True)
class CertInfo:
    """A plain summary of one certificate, for listing, checking, and JSON output."""

    subject: str
    issuer: str
    common_name: str
    identity: str | None
    sans: list[str]
    serial: str
    not_before: datetime
    not_after: datetime
    days_left: float
    key_usages: list[str]
    extended_key_usages: list[str]
    fingerprint_sha256: str
    is_ca: bool
    revoked: bool = False

    def to_json_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable dict (datetimes as ISO 8601 strings)."""
        data = dataclasses.asdict(self)
        data["not_before"] = self.not_before.isoformat()
        data["not_after"] = self.not_after.isoformat()
        data["days_left"] = round(self.days_left, 3)
        return data


@dataclass(frozen=True)
class HandshakeResult:
    """Outcome of probe_tls; on failure `error` says why.

    When the server rejects our certificate after a completed TLS 1.3 handshake, ok is False
    but version, cipher and peer_chain are still filled in; on other failures they are empty,
    except that peer_chain shows the certificate a server presented if we could not verify it.
    """

    ok: bool
    error: str | None
    tls_version: str | None
    cipher: str | None
    alpn: str | None
    peer_chain: list[CertInfo]


def _extension(cert: x509.Certificate, cls: type[Any]) -> Any:
    try:
        return cert.extensions.get_extension_for_class(cls).value
    except x509.ExtensionNotFound:
        return None


def _sans(cert: x509.Certificate) -> list[str]:
    san = _extension(cert, x509.SubjectAlternativeName)
    return [] if san is None else [str(general_name.value) for general_name in san]


def _key_usages(cert: x509.Certificate) -> list[str]:
    usage = _extension(cert, x509.KeyUsage)
    if usage is None:
        return []
    names = [field for field in _KEY_USAGE_FIELDS if getattr(usage, field)]
    # encipher_only/decipher_only raise unless key_agreement is set.
    if usage.key_agreement:
        names += [f for f in ("encipher_only", "decipher_only") if getattr(usage, f)]
    return names


def _extended_key_usages(cert: x509.Certificate) -> list[str]:
    eku = _extension(cert, x509.ExtendedKeyUsage)
    return [] if eku is None else [_EKU_NAMES.get(oid, oid.dotted_string) for oid in eku]


def describe(cert: x509.Certificate, now: datetime | None = None) -> CertInfo:
    """Summarise a certificate; days_left is relative to `now` (default: current time)."""
    now = as_utc(now) if now is not None else utcnow()
    not_after = cert.not_valid_after_utc
    return CertInfo(
        subject=cert.subject.rfc4514_string(),
        issuer=cert.issuer.rfc4514_string(),
        common_name=common_name(cert.subject),
        identity=identity_of(cert),
        sans=_sans(cert),
        serial=format(cert.serial_number, "X"),
        not_before=cert.not_valid_before_utc,
        not_after=not_after,
        days_left=(not_after - now).total_seconds() / 86400,
        key_usages=_key_usages(cert),
        extended_key_usages=_extended_key_usages(cert),
        fingerprint_sha256=cert.fingerprint(hashes.SHA256()).hex(":").upper(),
        is_ca=is_ca(cert),
    )


def expiring(info: CertInfo, within_days: float) -> bool:
    """Return True if the certificate expires within `within_days` (or has already expired)."""
    return info.days_left <= within_days


def _client_context(ca: Path, cert: Path, key: Path, verify: bool) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    # The peers are gRPC servers, which insist on ALPN h2.
    ctx.set_alpn_protocols(["h2"])
    try:
        ctx.load_cert_chain(cert, key)
        if verify:
            ctx.load_verify_locations(cafile=ca)
        else:
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
    except FileNotFoundError as exc:
        raise CertNotFound(f"cannot read {exc.filename}: file not found") from None
    except (ssl.SSLError, OSError) as exc:
        raise InvalidMaterial(f"cannot load TLS material: {_one_line(exc)}") from None
    return ctx


def _one_line(exc: BaseException) -> str:
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"certificate verify failed: {exc.verify_message}"
    if isinstance(exc, ssl.SSLError) and exc.reason:
        reason = exc.reason.lower().replace("_", " ")
        # An alert means the peer looked at the handshake and said no (usually our certificate).
        return f"server rejected the handshake: {reason}" if "alert" in reason else reason
    if isinstance(exc, TimeoutError):
        return "timed out"
    text = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return " ".join((text or type(exc).__name__).split())


def _server_verdict(tls: ssl.SSLSocket, timeout: float) -> str | None:
    # In TLS 1.3 the server judges our certificate after our side of the handshake is done,
    # so a rejection only shows up as an alert on the first read.
    if tls.version() != "TLSv1.3":
        return None
    tls.settimeout(min(timeout, _VERDICT_WAIT))
    try:
        tls.recv(1)
    except TimeoutError:
        return None  # the server is waiting for us to speak: it accepted the handshake
    except ssl.SSLError as exc:
        return _one_line(exc)
    except OSError as exc:
        return f"server dropped the connection after the handshake: {_one_line(exc)}"
    return None


def _peer_chain(leaf_der: bytes, ca_pem_path: Path) -> list[CertInfo]:
    leaf = x509.load_der_x509_certificate(leaf_der)
    chain = [describe(leaf)]
    try:
        bundle = x509.load_pem_x509_certificates(ca_pem_path.read_bytes())
    except (OSError, ValueError):
        return chain
    chain += [describe(ca) for ca in bundle if is_issued_by(leaf, ca)][:1]
    return chain


def _presented_leaf(host: str, port: int, ctx: ssl.SSLContext, timeout: float) -> list[CertInfo]:
    # Diagnostics only: after a verification failure, show what the server actually presents.
    try:
        with (
            socket.create_connection((host, port), timeout=timeout) as raw,
            ctx.wrap_socket(raw, server_hostname=host) as tls,
        ):
            der = tls.getpeercert(binary_form=True)
    except (OSError, ValueError):
        return []
    return [describe(x509.load_der_x509_certificate(der))] if der else []


def probe_tls(
    host: str,
    port: int,
    ca_pem_path: str | Path,
    cert_path: str | Path,
    key_path: str | Path,
    timeout: float = 5.0,
) -> HandshakeResult:
    """Do a real mutual-TLS handshake with host:port and report how it went."""
    ca, cert, key = Path(ca_pem_path), Path(cert_path), Path(key_path)
    ctx = _client_context(ca, cert, key, verify=True)
    try:
        with (
            socket.create_connection((host, port), timeout=timeout) as raw,
            ctx.wrap_socket(raw, server_hostname=host) as tls,
        ):
            der = tls.getpeercert(binary_form=True)
            version, alpn = tls.version(), tls.selected_alpn_protocol()
            cipher_info = tls.cipher()
            rejection = _server_verdict(tls, timeout)
    except ssl.SSLCertVerificationError as exc:
        presented = _presented_leaf(host, port, _client_context(ca, cert, key, False), timeout)
        return HandshakeResult(False, _one_line(exc), None, None, None, presented)
    except OSError as exc:
        return HandshakeResult(False, _one_line(exc), None, None, None, [])
    cipher = cipher_info[0] if cipher_info else None
    chain = _peer_chain(der, ca) if der else []
    return HandshakeResult(rejection is None, rejection, version, cipher, alpn, chain)
