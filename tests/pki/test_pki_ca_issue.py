"""CA and leaf certificate properties."""

from __future__ import annotations

import ipaddress
from datetime import timedelta

import pytest
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from pki.ca import create_ca
from pki.certutil import utcnow
from pki.errors import InvalidMaterial, InvalidName, PkiError
from pki.inspect import describe
from pki.issue import default_sans, issue_cert, leaf_sans


def _ext(cert: x509.Certificate, cls: type) -> x509.Extension:
    return cert.extensions.get_extension_for_class(cls)


def test_ca_is_p256_self_signed_and_constrained(ca) -> None:
    cert, key = ca
    assert isinstance(key.curve, ec.SECP256R1)
    assert cert.subject == cert.issuer
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "dytt root CA"
    cert.verify_directly_issued_by(cert)
    basic = _ext(cert, x509.BasicConstraints)
    assert basic.critical and basic.value.ca and basic.value.path_length == 0
    usage = _ext(cert, x509.KeyUsage)
    assert usage.critical
    assert usage.value.key_cert_sign and usage.value.crl_sign
    assert not usage.value.digital_signature
    ski = _ext(cert, x509.SubjectKeyIdentifier).value
    assert ski == x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    lifetime = cert.not_valid_after_utc - cert.not_valid_before_utc
    assert timedelta(days=3650) <= lifetime <= timedelta(days=3650, minutes=10)


def test_ca_rejects_nonpositive_lifetime() -> None:
    with pytest.raises(PkiError, match="positive"):
        create_ca(days=0)


def test_leaf_extensions(ca, leaf) -> None:
    ca_cert, _ = ca
    cert, key = leaf
    assert isinstance(key.curve, ec.SECP256R1)
    cert.verify_directly_issued_by(ca_cert)
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "user"
    assert _ext(cert, x509.BasicConstraints).value.ca is False
    usage = _ext(cert, x509.KeyUsage).value
    assert usage.digital_signature and usage.key_encipherment
    assert not usage.key_cert_sign and not usage.crl_sign
    eku = list(_ext(cert, x509.ExtendedKeyUsage).value)
    assert eku == [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]
    aki = _ext(cert, x509.AuthorityKeyIdentifier).value
    assert aki.key_identifier == _ext(ca_cert, x509.SubjectKeyIdentifier).value.digest
    lifetime = cert.not_valid_after_utc - cert.not_valid_before_utc
    assert timedelta(days=7) <= lifetime <= timedelta(days=7, minutes=10)


def test_leaf_sans_are_classified(leaf) -> None:
    cert, _ = leaf
    san = _ext(cert, x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == ["localhost", "user"]
    assert san.get_values_for_type(x509.IPAddress) == [
        ipaddress.ip_address("127.0.0.1"),
        ipaddress.ip_address("::1"),
    ]
    assert san.get_values_for_type(x509.UniformResourceIdentifier) == ["spiffe://dytt/user"]
    assert leaf_sans(cert) == ["localhost", "127.0.0.1", "::1", "user"]


def test_custom_sans_deduplicated_and_lowercased(ca) -> None:
    cert, _ = issue_cert(*ca, "video", ["Video.Internal", "10.0.0.7", "video.internal", "10.0.0.7"])
    assert leaf_sans(cert) == ["video.internal", "10.0.0.7"]


def test_serials_are_random_and_distinct(ca) -> None:
    serials = {issue_cert(*ca, "user", ["localhost"])[0].serial_number for _ in range(5)}
    assert len(serials) == 5
    assert all(s.bit_length() > 64 for s in serials)


def test_leaf_from_other_ca_does_not_verify(ca, other_ca) -> None:
    cert, _ = issue_cert(*other_ca, "user", ["localhost"])
    with pytest.raises((ValueError, InvalidSignature)):
        cert.verify_directly_issued_by(ca[0])


def test_expired_leaf_via_not_before(ca) -> None:
    start = utcnow() - timedelta(days=10)
    cert, _ = issue_cert(*ca, "old", ["localhost"], days=1, not_before=start)
    assert cert.not_valid_before_utc == start.replace(microsecond=0)
    assert cert.not_valid_after_utc == (start + timedelta(days=1)).replace(microsecond=0)
    info = describe(cert)
    assert info.days_left == pytest.approx(-9, abs=0.01)


def test_leaf_never_outlives_its_ca(ca) -> None:
    short_ca = create_ca(days=2)
    cert, _ = issue_cert(*short_ca, "user", ["localhost"], days=30)
    assert cert.not_valid_after_utc == short_ca[0].not_valid_after_utc
    assert ca  # the session CA is unaffected


@pytest.mark.parametrize(
    "name", ["", "User", "a.b", "a/b", "../etc", "x" * 64, "spaced name", "é", "a:b"]
)
def test_invalid_names_rejected(ca, name: str) -> None:
    with pytest.raises(InvalidName, match="invalid certificate name"):
        issue_cert(*ca, name, ["localhost"])


@pytest.mark.parametrize("name", ["a", "user", "video-service", "comment_2", "x" * 63])
def test_valid_names_accepted(ca, name: str) -> None:
    cert, _ = issue_cert(*ca, name, ["localhost"])
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == name


def test_invalid_name_is_a_pki_error_on_one_line(ca) -> None:
    with pytest.raises(PkiError) as info:
        default_sans("Bad\nName")
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("san", ["", "has space", "http://x", "a..b", "-lead.example"])
def test_invalid_sans_rejected(ca, san: str) -> None:
    with pytest.raises(PkiError, match="invalid SAN"):
        issue_cert(*ca, "user", [san])


def test_issuer_must_be_a_matching_ca(ca, leaf, other_ca) -> None:
    with pytest.raises(InvalidMaterial, match="not a CA"):
        issue_cert(leaf[0], leaf[1], "user", ["localhost"])
    with pytest.raises(InvalidMaterial, match="does not belong"):
        issue_cert(ca[0], other_ca[1], "user", ["localhost"])


def test_default_sans() -> None:
    assert default_sans("user") == ["localhost", "127.0.0.1", "::1", "user"]


def test_naive_not_before_is_taken_as_utc(ca) -> None:
    aware = utcnow().replace(microsecond=0) - timedelta(days=2)
    cert, _ = issue_cert(*ca, "old", ["localhost"], days=1, not_before=aware.replace(tzinfo=None))
    assert cert.not_valid_before_utc == aware
