"""Issuing leaf certificates for dytt workloads (servers and clients alike, for mutual TLS)."""

from __future__ import annotations

import ipaddress
import re
from datetime import datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from pki.certutil import CLOCK_SKEW, ORGANIZATION, as_utc, is_ca, public_key_matches, utcnow
from pki.errors import InvalidMaterial, PkiError
from pki.identity import spiffe_id
from pki.names import validate_name

# Hostname labels, optionally a leading wildcard; '_' is tolerated because names may contain it.
_DNS_PATTERN = re.compile(
    r"(\*\.)?[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?"
    r"(\.[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?)*\.?"
)


def default_sans(name: str) -> list[str]:
    """Return the SANs a local workload needs: loopback names and addresses plus its own name."""
    return ["localhost", "127.0.0.1", "::1", validate_name(name)]


def parse_san(entry: str) -> x509.GeneralName:
    """Classify one SAN string as an IP address or a DNS name; PkiError if it is neither."""
    text = entry.strip()
    try:
        return x509.IPAddress(ipaddress.ip_address(text))
    except ValueError:
        pass
    if len(text) > 253 or not _DNS_PATTERN.fullmatch(text):
        raise PkiError(f"invalid SAN {entry!r}: expected an IP address or a DNS name")
    return x509.DNSName(text.lower())


def leaf_sans(cert: x509.Certificate) -> list[str]:
    """Return the DNS and IP SANs of a leaf in issue_cert's input form (no SPIFFE URI)."""
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return []
    out: list[str] = []
    for general_name in san:
        if isinstance(general_name, x509.DNSName):
            out.append(general_name.value)
        elif isinstance(general_name, x509.IPAddress):
            out.append(str(general_name.value))
    return out


def backdating(lifetime: timedelta) -> timedelta:
    """How far before issuance a leaf of `lifetime` starts: CLOCK_SKEW, less for short leaves."""
    # A minute-long leaf backdated by five minutes would be two-thirds spent at birth.
    return min(CLOCK_SKEW, lifetime / 10)


def issued_lifetime(not_before: datetime, not_after: datetime) -> timedelta:
    """The lifetime a leaf valid from `not_before` to `not_after` was issued with."""
    window = not_after - not_before
    # inverse of backdating(): windows of at least 11 x CLOCK_SKEW carry the full CLOCK_SKEW
    return window - CLOCK_SKEW if window >= CLOCK_SKEW * 11 else window / 1.1


def lifetime_of(cert: x509.Certificate) -> timedelta:
    """The lifetime `cert` was issued with (its validity window less the backdating)."""
    return issued_lifetime(cert.not_valid_before_utc, cert.not_valid_after_utc)


def _general_names(name: str, sans: list[str]) -> list[x509.GeneralName]:
    seen: set[x509.GeneralName] = set()
    out: list[x509.GeneralName] = []
    for entry in sans:
        general_name = parse_san(entry)
        if general_name not in seen:
            seen.add(general_name)
            out.append(general_name)
    out.append(x509.UniformResourceIdentifier(spiffe_id(name)))
    return out


def _check_issuer(ca_cert: x509.Certificate, ca_key: ec.EllipticCurvePrivateKey) -> None:
    if not isinstance(ca_key, ec.EllipticCurvePrivateKey):
        raise InvalidMaterial("CA key is not an EC private key")
    if not is_ca(ca_cert):
        raise InvalidMaterial("the issuing certificate is not a CA")
    if not public_key_matches(ca_cert, ca_key):
        raise InvalidMaterial("the CA key does not belong to the CA certificate")


def _authority_key_id(ca_cert: x509.Certificate) -> x509.AuthorityKeyIdentifier:
    try:
        ski = ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    except x509.ExtensionNotFound:
        return x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_cert.public_key())  # type: ignore[arg-type]
    return x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski)


def issue_cert(
    ca_cert: x509.Certificate,
    ca_key: ec.EllipticCurvePrivateKey,
    name: str,
    sans: list[str],
    days: float = 7,
    not_before: datetime | None = None,
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    """Issue a P-256 leaf for `name`, usable as both TLS server and client certificate."""
    validate_name(name)
    if days <= 0:
        raise PkiError(f"certificate lifetime must be a positive number of days, got {days}")
    _check_issuer(ca_cert, ca_key)
    general_names = _general_names(name, sans)
    not_before = as_utc(not_before) if not_before is not None else None
    lifetime = timedelta(days=days)
    # An explicit not_before is taken literally (tests use it to mint expired certs).
    start = not_before if not_before is not None else utcnow() - backdating(lifetime)
    end = (not_before if not_before is not None else utcnow()) + lifetime
    # A leaf that outlives its CA would only fail verification later and more confusingly.
    end = min(end, ca_cert.not_valid_after_utc)
    if end <= start:
        raise PkiError("the CA expires before the requested certificate would start")
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORGANIZATION),
        ]
    )
    key_usage = x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=True,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )
    eku = x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH])
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(key_usage, critical=True)
        .add_extension(eku, critical=False)
        .add_extension(x509.SubjectAlternativeName(general_names), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(_authority_key_id(ca_cert), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    return cert, key
