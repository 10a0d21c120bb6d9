"""Identity extraction and the CertInfo summary."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

from pki.errors import InvalidMaterial
from pki.identity import identity_from_der, identity_from_pem, identity_of, spiffe_id
from pki.inspect import describe, expiring
from pki.issue import issue_cert


def test_identity_of_leaf(leaf) -> None:
    assert identity_of(leaf[0]) == "user"


def test_identity_from_der_and_pem(leaf) -> None:
    cert = leaf[0]
    der = cert.public_bytes(serialization.Encoding.DER)
    pem = cert.public_bytes(serialization.Encoding.PEM)
    assert identity_from_der(der) == "user"
    assert identity_from_pem(pem) == "user"
    assert identity_from_pem(pem.decode()) == "user"


def test_ca_has_no_identity(ca) -> None:
    assert identity_of(ca[0]) is None


def test_garbage_input_raises_invalid_material() -> None:
    with pytest.raises(InvalidMaterial, match="DER"):
        identity_from_der(b"not a certificate")
    with pytest.raises(InvalidMaterial, match="PEM"):
        identity_from_pem("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")


def _with_uris(ca, uris: list[str]) -> x509.Certificate:
    ca_cert, ca_key = ca
    key = ca_key  # any key will do; only the SAN matters here
    now = datetime.now(UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(x509.Name([]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.UniformResourceIdentifier(u) for u in uris]),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )


@pytest.mark.parametrize(
    ("uris", "expected"),
    [
        (["spiffe://other/user"], None),
        (["spiffe://dytt/user/admin"], None),
        (["spiffe://dytt/USER"], None),
        (["https://dytt/user", "spiffe://dytt/video"], "video"),
    ],
)
def test_identity_only_from_well_formed_dytt_uri(ca, uris: list[str], expected) -> None:
    assert identity_of(_with_uris(ca, uris)) == expected


def test_spiffe_id() -> None:
    assert spiffe_id("user") == "spiffe://dytt/user"


def test_describe_leaf(ca, leaf) -> None:
    cert = leaf[0]
    info = describe(cert)
    assert info.subject == "O=dytt,CN=user"
    assert info.issuer == ca[0].subject.rfc4514_string()
    assert info.common_name == "user"
    assert info.identity == "user"
    assert info.sans == ["localhost", "127.0.0.1", "::1", "user", "spiffe://dytt/user"]
    assert int(info.serial, 16) == cert.serial_number
    assert info.not_before.tzinfo is not None and info.not_after.tzinfo is not None
    assert info.days_left == pytest.approx(7, abs=0.01)
    assert info.key_usages == ["digital_signature", "key_encipherment"]
    assert info.extended_key_usages == ["serverAuth", "clientAuth"]
    assert info.fingerprint_sha256 == cert.fingerprint(hashes.SHA256()).hex(":").upper()
    assert len(info.fingerprint_sha256.split(":")) == 32
    assert info.is_ca is False and info.revoked is False


def test_describe_ca(ca) -> None:
    info = describe(ca[0])
    assert info.is_ca is True
    assert info.identity is None
    assert info.key_usages == ["key_cert_sign", "crl_sign"]
    assert info.extended_key_usages == []


def test_to_json_dict_round_trips_through_json(leaf) -> None:
    info = describe(leaf[0])
    data = json.loads(json.dumps(info.to_json_dict()))
    assert data["identity"] == "user"
    assert datetime.fromisoformat(data["not_after"]) == info.not_after
    assert data["sans"] == info.sans
    assert isinstance(data["days_left"], float)


def test_expiring(ca, leaf) -> None:
    fresh = describe(leaf[0])
    assert not expiring(fresh, 3)
    assert expiring(fresh, 8)
    start = datetime.now(UTC) - timedelta(days=3)
    old = describe(issue_cert(*ca, "old", ["localhost"], days=1, not_before=start)[0])
    assert expiring(old, 0)


def test_describe_relative_to_given_now(leaf) -> None:
    later = leaf[0].not_valid_after_utc + timedelta(days=2)
    assert describe(leaf[0], now=later).days_left == pytest.approx(-2)
