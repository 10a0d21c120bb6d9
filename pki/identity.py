"""The SPIFFE-style identity (spiffe://dytt/<name>) that every leaf certificate carries."""

from __future__ import annotations

from cryptography import x509

from pki.errors import InvalidMaterial
from pki.names import is_valid_name, validate_name

TRUST_DOMAIN = "dytt"
SPIFFE_PREFIX = f"spiffe://{TRUST_DOMAIN}/"


def spiffe_id(name: str) -> str:
    """Return the URI SAN that identifies the workload `name`."""
    return SPIFFE_PREFIX + validate_name(name)


def identity_of(cert: x509.Certificate) -> str | None:
    """Return the workload name from the cert's spiffe://dytt/<name> URI SAN, or None."""
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return None
    for uri in san.get_values_for_type(x509.UniformResourceIdentifier):
        if uri.startswith(SPIFFE_PREFIX):
            name = uri[len(SPIFFE_PREFIX) :]
            # Anything that would not have been issued (sub-paths, odd case) is no identity.
            if is_valid_name(name):
                return name
    return None


def identity_from_der(der: bytes) -> str | None:
    """Return the identity of a DER-encoded certificate; raise InvalidMaterial if unparsable."""
    try:
        cert = x509.load_der_x509_certificate(der)
    except (ValueError, TypeError) as exc:
        raise InvalidMaterial(f"not a DER certificate: {exc}") from None
    return identity_of(cert)


def identity_from_pem(pem: bytes | str) -> str | None:
    """Return the identity of a PEM certificate (first one if several); InvalidMaterial if bad."""
    data = pem.encode() if isinstance(pem, str) else pem
    try:
        cert = x509.load_pem_x509_certificate(data)
    except (ValueError, TypeError) as exc:
        raise InvalidMaterial(f"not a PEM certificate: {exc}") from None
    return identity_of(cert)
