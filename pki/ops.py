"""The PKI use cases the CLI calls; each is a plain function over a PkiStore."""

from __future__ import annotations

import dataclasses
import ipaddress
from datetime import datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from pki.ca import create_ca
from pki.certutil import is_issued_by, utcnow
from pki.errors import CertNotFound, InvalidMaterial, MaterialExists, PkiError
from pki.inspect import CertInfo, describe
from pki.issue import default_sans, issue_cert, leaf_sans, lifetime_of, parse_san
from pki.jwtkeys import create_jwt_keypair, load_private_key, public_pem_of
from pki.names import validate_name
from pki.revocation import add_revoked, build_crl, is_revoked, needs_refresh, verify_crl
from pki.store import PkiStore

# Re-issue once less than this fraction of a leaf's lifetime remains.
RENEW_FRACTION = 1 / 3
# The supervisor renews a leaf (and the CRL) once this fraction of its validity has passed.
RENEW_AT = 1 - RENEW_FRACTION


def renew_at(not_before: datetime, not_after: datetime) -> datetime:
    """When a certificate (or CRL) valid from `not_before` to `not_after` is due for renewal."""
    return not_before + (not_after - not_before) * RENEW_AT


def _normalise_san(entry: str) -> str:
    text = entry.strip()
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return text.lower()


def _leaf_problem(
    store: PkiStore,
    name: str,
    sans: list[str],
    ca_cert: x509.Certificate,
    crl: x509.CertificateRevocationList | None,
    now: datetime,
) -> str | None:
    """Return why leaf `name` must be (re)issued, or None if it is fine as it is."""
    if not store.has_leaf(name):
        return "missing"
    try:
        cert, _ = store.load_leaf(name)
    except InvalidMaterial:
        return "unreadable"
    if not is_issued_by(cert, ca_cert):
        return "not issued by the current CA"
    if cert.not_valid_after_utc <= now:
        return "expired"
    lifetime = cert.not_valid_after_utc - cert.not_valid_before_utc
    if cert.not_valid_after_utc - now < lifetime * RENEW_FRACTION:
        return "expiring"
    if crl is not None and is_revoked(crl, cert.serial_number):
        return "revoked"
    have = {_normalise_san(s) for s in leaf_sans(cert)}
    if not {_normalise_san(s) for s in sans} <= have:
        return "SANs changed"
    return None


def _ensure_ca(
    store: PkiStore, now: datetime, created: list[str]
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    if store.ca_cert_path.exists() != store.ca_key_path.exists():
        # Half a CA is not something to paper over: peers may already trust the old cert.
        raise InvalidMaterial(
            f"incomplete CA in {store.root} (ca.crt or ca.key missing); re-create it with force"
        )
    if store.has_ca():
        ca_cert, ca_key = store.load_ca()
        if ca_cert.not_valid_after_utc > now:
            return ca_cert, ca_key
        created.append("CA (expired, replaced)")
    else:
        created.append("CA (new)")
    ca_cert, ca_key = create_ca()
    store.save_ca(ca_cert, ca_key)
    return ca_cert, ca_key


def _ensure_crl(
    store: PkiStore,
    ca_cert: x509.Certificate,
    ca_key: ec.EllipticCurvePrivateKey,
    now: datetime,
    created: list[str],
) -> x509.CertificateRevocationList:
    crl = store.load_crl()
    if crl is not None and verify_crl(crl, ca_cert):
        if not needs_refresh(crl, now):
            return crl
        # Same entries, new nextUpdate: peers that honour nextUpdate would reject a stale CRL.
        crl = add_revoked(crl, ca_cert, ca_key, [])
        created.append("CRL (refreshed)")
    else:
        crl = build_crl(ca_cert, ca_key, [])
        created.append("CRL (new)")
    store.save_crl(crl)
    return crl


def _ensure_jwt(store: PkiStore, created: list[str]) -> None:
    if store.has_jwt_keypair():
        return
    if store.jwt_private_path.exists():
        private_pem = store.load_jwt_private()
        store.save_jwt_keypair(private_pem, public_pem_of(load_private_key(private_pem)))
        created.append("JWT public key (restored)")
    else:
        store.save_jwt_keypair(*create_jwt_keypair())
        created.append("JWT key pair (new)")


def ensure_material(
    store: PkiStore, names: dict[str, list[str]], days: float = 7
) -> list[str]:
    """Create whatever is missing or stale (CA, leaves, CRL, JWT keys); return what was made."""
    # Validate every input before writing anything, so a typo cannot leave half a setup.
    for name, sans in names.items():
        validate_name(name)
        for entry in sans:
            parse_san(entry)
    with store.lock():
        return _ensure_locked(store, names, days)


def _ensure_locked(store: PkiStore, names: dict[str, list[str]], days: float) -> list[str]:
    now = utcnow()
    created: list[str] = []
    ca_cert, ca_key = _ensure_ca(store, now, created)
    crl = _ensure_crl(store, ca_cert, ca_key, now, created)
    for name, sans in names.items():
        wanted = sans or default_sans(name)
        problem = _leaf_problem(store, name, wanted, ca_cert, crl, now)
        if problem is None:
            continue
        # Keep SANs an operator added with `issue` on top of the configured ones.
        if problem not in ("missing", "unreadable"):
            extra = leaf_sans(store.load_leaf_cert(name))
            wanted = wanted + [s for s in extra if s not in wanted]
        store.save_leaf(name, *issue_cert(ca_cert, ca_key, name, wanted, days))
        created.append(f"certificate {name} ({problem})")
    _ensure_jwt(store, created)
    return created


def init_ca(store: PkiStore, force: bool = False) -> CertInfo:
    """Create a new CA (and an empty CRL); refuse to replace an existing CA unless forced."""
    if not force and (store.ca_cert_path.exists() or store.ca_key_path.exists()):
        raise MaterialExists(f"a CA already exists at {store.ca_cert_path}; use force to replace")
    ca_cert, ca_key = create_ca()
    with store.lock():
        store.save_ca(ca_cert, ca_key)
        # The old CRL is signed by the old CA and would fail verification from now on.
        store.save_crl(build_crl(ca_cert, ca_key, []))
    return describe(ca_cert)


def issue(
    store: PkiStore, name: str, sans: list[str] | None = None, days: float = 7
) -> CertInfo:
    """Issue (or overwrite) leaf `name` with `sans` (default: default_sans(name))."""
    ca_cert, ca_key = _load_ca(store)
    cert, key = issue_cert(ca_cert, ca_key, name, sans or default_sans(name), days)
    store.save_leaf(name, cert, key)
    return describe(cert)


def _load_ca(store: PkiStore) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    try:
        return store.load_ca()
    except CertNotFound:
        raise CertNotFound(f"no CA at {store.ca_cert_path}; create one first") from None


def rotate(store: PkiStore, name: str, days: float | None = None) -> CertInfo:
    """Re-issue leaf `name` with the same SANs and lifetime but a new key and serial."""
    with store.lock():
        old = store.load_leaf_cert(name)
        ca_cert, ca_key = _load_ca(store)
        lifetime = days if days is not None else lifetime_of(old) / timedelta(days=1)
        cert, key = issue_cert(ca_cert, ca_key, name, leaf_sans(old), lifetime)
        store.save_leaf(name, cert, key)
    return describe(cert)


def refresh_crl(store: PkiStore, days: float = 7) -> x509.CertificateRevocationList:
    """Re-sign the CRL with the same entries and a new nextUpdate `days` from now."""
    with store.lock():
        ca_cert, ca_key = _load_ca(store)
        crl = store.load_crl()
        if crl is not None and not verify_crl(crl, ca_cert):
            # entries signed by another CA cannot be carried over (see add_revoked)
            crl = None
        fresh = add_revoked(crl, ca_cert, ca_key, [], next_update_days=days)
        store.save_crl(fresh)
    return fresh


def rotate_all(store: PkiStore) -> list[CertInfo]:
    """Rotate every leaf on disk."""
    return [rotate(store, name) for name, _ in store.list_leaves()]


def revoke(store: PkiStore, name: str) -> int:
    """Add leaf `name`'s current serial to the CRL and return that serial."""
    with store.lock():
        cert = store.load_leaf_cert(name)
        ca_cert, ca_key = _load_ca(store)
        if not is_issued_by(cert, ca_cert):
            raise PkiError(f"certificate {name!r} was not issued by the current CA")
        store.save_crl(add_revoked(store.load_crl(), ca_cert, ca_key, [cert.serial_number]))
    return cert.serial_number


def list_certs(store: PkiStore) -> list[CertInfo]:
    """Describe the CA (if any) and every leaf, flagging leaves listed in the CRL."""
    infos: list[CertInfo] = []
    if store.ca_cert_path.exists():
        infos.append(describe(store.load_ca_cert()))
    crl = store.load_crl()
    for _, cert in store.list_leaves():
        revoked = crl is not None and is_revoked(crl, cert.serial_number)
        infos.append(dataclasses.replace(describe(cert), revoked=revoked))
    return infos


def check(infos: list[CertInfo], within_days: float) -> list[str]:
    """Return one line per problem: expired, expiring within `within_days`, or revoked."""
    problems: list[str] = []
    for info in infos:
        label = f"certificate {info.identity or info.common_name or info.serial}"
        if info.days_left <= 0:
            problems.append(f"{label}: expired {-info.days_left:.1f} days ago")
        elif info.days_left <= within_days:
            problems.append(f"{label}: expires in {info.days_left:.1f} days")
        if info.revoked:
            problems.append(f"{label}: revoked")
    return problems
