"""dytt's private PKI: a root CA, mutual-TLS leaf certificates, a CRL, and JWT signing keys.

Exceptions (all messages are one line)::

    PkiError                 base class; catch this in the CLI
    ├── InvalidName          certificate name is not [a-z0-9_-]{1,63}
    ├── CertNotFound         a needed certificate, key, or file is missing
    ├── InvalidMaterial      unreadable, wrong type, or key/cert mismatch
    ├── MaterialExists       refusing to overwrite without force
    └── InvalidToken         JWT rejected; `.reason` is a short cause

File layout under a PkiStore root (directories 0700, private keys 0600, writes atomic)::

    <root>/
    ├── .lock                flock'd by every writer (dyttctl certs, the supervisor's renewals)
    ├── ca.crt               CA certificate, the trust bundle for every peer
    ├── ca.key               CA private key (PKCS8 PEM)
    ├── ca.crl               CRL signed by the CA
    ├── certs/
    │   ├── <name>.crt       leaf certificate, SAN URI spiffe://dytt/<name>
    │   └── <name>.key       leaf private key (PKCS8 PEM)
    └── jwt/
        ├── private.pem      Ed25519 signing key (PKCS8 PEM)
        └── public.pem       Ed25519 verification key

Everything except `pki.store` is pure: functions take and return cryptography objects.
The use cases the CLI and the supervisor run (ensure_material, init_ca, issue, rotate,
rotate_all, refresh_crl, revoke, list_certs, check, renew_at) live in `pki.ops`; they are not
re-exported here because `pki.ops.issue` would shadow the `pki.issue` module.
"""

from pki import ops
from pki.ca import create_ca
from pki.errors import (
    CertNotFound,
    InvalidMaterial,
    InvalidName,
    InvalidToken,
    MaterialExists,
    PkiError,
)
from pki.identity import identity_from_der, identity_from_pem, identity_of, spiffe_id
from pki.inspect import CertInfo, HandshakeResult, describe, expiring, probe_tls
from pki.issue import default_sans, issue_cert, leaf_sans
from pki.jwtkeys import create_jwt_keypair, sign_token, verify_token
from pki.names import validate_name
from pki.revocation import add_revoked, build_crl, is_revoked, revoked_serials, verify_crl
from pki.store import PkiStore

__all__ = [
    "CertInfo",
    "CertNotFound",
    "HandshakeResult",
    "InvalidMaterial",
    "InvalidName",
    "InvalidToken",
    "MaterialExists",
    "PkiError",
    "PkiStore",
    "add_revoked",
    "build_crl",
    "create_ca",
    "create_jwt_keypair",
    "default_sans",
    "describe",
    "expiring",
    "identity_from_der",
    "identity_from_pem",
    "identity_of",
    "is_revoked",
    "issue_cert",
    "leaf_sans",
    "ops",
    "probe_tls",
    "revoked_serials",
    "sign_token",
    "spiffe_id",
    "validate_name",
    "verify_crl",
    "verify_token",
]
