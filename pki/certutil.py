"""Small X.509 helpers shared by the other modules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

# Backdate notBefore a little so hosts with a slightly slow clock accept fresh certificates.
CLOCK_SKEW = timedelta(minutes=5)
ORGANIZATION = "dytt"


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """Return `moment` as aware UTC; naive datetimes are taken to already be UTC."""
    # Naive values are UTC by cryptography's convention; local time would shift them silently.
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def public_key_matches(cert: x509.Certificate, key: ec.EllipticCurvePrivateKey) -> bool:
    """Return True if `key` is the private half of the certificate's public key."""
    fmt = serialization.PublicFormat.SubjectPublicKeyInfo
    enc = serialization.Encoding.DER
    return cert.public_key().public_bytes(enc, fmt) == key.public_key().public_bytes(enc, fmt)


def is_ca(cert: x509.Certificate) -> bool:
    """Return True if the certificate carries BasicConstraints ca=True."""
    try:
        return bool(cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except x509.ExtensionNotFound:
        return False


def is_issued_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    """Return True if `issuer` signed `cert` (name chaining and signature both checked)."""
    try:
        cert.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def common_name(name: x509.Name) -> str:
    """Return the first CN of a distinguished name, or '' if there is none."""
    attrs = name.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    return str(attrs[0].value) if attrs else ""
