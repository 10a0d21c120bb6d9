"""Revocation as a real X.509 CRL signed by the CA, so any TLS stack can consume it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from pki.certutil import as_utc, utcnow
from pki.errors import InvalidMaterial, PkiError

CRL = x509.CertificateRevocationList


def build_crl(
    ca_cert: x509.Certificate,
    ca_key: ec.EllipticCurvePrivateKey,
    revoked: list[tuple[int, datetime]],
    next_update_days: float = 7,
    now: datetime | None = None,
    crl_number: int = 1,
) -> CRL:
    """Build and sign a CRL listing `revoked` (serial, revocation time) pairs."""
    if next_update_days <= 0:
        raise PkiError(f"next_update_days must be positive, got {next_update_days}")
    now = as_utc(now) if now is not None else utcnow()
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca_cert.subject)
        .last_update(now)
        .next_update(now + timedelta(days=next_update_days))
        .add_extension(x509.CRLNumber(crl_number), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
    )
    for serial, when in revoked:
        entry = x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(when).build()
        builder = builder.add_revoked_certificate(entry)
    return builder.sign(ca_key, hashes.SHA256())


def crl_number(crl: CRL) -> int:
    """Return the CRL's sequence number (0 if it has none)."""
    try:
        return crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number
    except x509.ExtensionNotFound:
        return 0


def add_revoked(
    crl: CRL | None,
    ca_cert: x509.Certificate,
    ca_key: ec.EllipticCurvePrivateKey,
    serials: Iterable[int],
    next_update_days: float = 7,
    now: datetime | None = None,
) -> CRL:
    """Return a new CRL with earlier entries kept and `serials` added (duplicates ignored)."""
    now = as_utc(now) if now is not None else utcnow()
    entries: dict[int, datetime] = {}
    if crl is not None:
        # Carrying entries over from a CRL another CA signed would launder its contents.
        if not verify_crl(crl, ca_cert):
            raise InvalidMaterial("the existing CRL was not signed by the current CA")
        entries = {r.serial_number: r.revocation_date_utc for r in crl}
    for serial in serials:
        entries.setdefault(serial, now)
    number = crl_number(crl) + 1 if crl is not None else 1
    return build_crl(ca_cert, ca_key, sorted(entries.items()), next_update_days, now, number)


def is_revoked(crl: CRL, serial: int) -> bool:
    """Return True if the CRL lists `serial`."""
    return crl.get_revoked_certificate_by_serial_number(serial) is not None


def revoked_serials(crl: CRL) -> set[int]:
    """Return every serial number the CRL lists."""
    return {r.serial_number for r in crl}


def verify_crl(crl: CRL, ca_cert: x509.Certificate) -> bool:
    """Return True if the CRL names `ca_cert` as issuer and carries its valid signature."""
    if crl.issuer != ca_cert.subject:
        return False
    try:
        return crl.is_signature_valid(ca_cert.public_key())  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def needs_refresh(crl: CRL, now: datetime | None = None) -> bool:
    """Return True once less than a third of the CRL's validity window is left."""
    now = as_utc(now) if now is not None else utcnow()
    next_update = crl.next_update_utc
    if next_update is None:
        return True
    window = next_update - crl.last_update_utc
    return next_update - now < window / 3
