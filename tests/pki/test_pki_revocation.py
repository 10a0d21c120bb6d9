"""CRL building, extension, and verification."""

from __future__ import annotations

from datetime import timedelta

import pytest
from cryptography import x509

from pki.certutil import utcnow
from pki.errors import InvalidMaterial
from pki.revocation import (
    add_revoked,
    build_crl,
    crl_number,
    is_revoked,
    needs_refresh,
    revoked_serials,
    verify_crl,
)


def test_build_crl(ca) -> None:
    when = utcnow().replace(microsecond=0) - timedelta(hours=1)
    crl = build_crl(*ca, [(101, when), (202, when)], next_update_days=3)
    assert verify_crl(crl, ca[0])
    assert crl.issuer == ca[0].subject
    assert revoked_serials(crl) == {101, 202}
    assert is_revoked(crl, 101) and not is_revoked(crl, 303)
    assert crl.get_revoked_certificate_by_serial_number(202).revocation_date_utc == when
    assert crl.next_update_utc - crl.last_update_utc == timedelta(days=3)
    assert crl.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier)


def test_add_revoked_keeps_earlier_entries_and_dates(ca) -> None:
    first = add_revoked(None, *ca, [1])
    original_date = first.get_revoked_certificate_by_serial_number(1).revocation_date_utc
    second = add_revoked(first, *ca, [2, 1], now=utcnow() + timedelta(hours=2))
    assert revoked_serials(second) == {1, 2}
    assert second.get_revoked_certificate_by_serial_number(1).revocation_date_utc == original_date
    assert crl_number(first) == 1 and crl_number(second) == 2
    assert verify_crl(second, ca[0])


def test_crl_from_another_ca_fails_verification(ca, other_ca) -> None:
    crl = build_crl(*other_ca, [(5, utcnow())])
    assert not verify_crl(crl, ca[0])
    with pytest.raises(InvalidMaterial, match="not signed by the current CA"):
        add_revoked(crl, *ca, [6])


def test_forged_issuer_name_fails_verification(ca, other_ca) -> None:
    # Same issuer name as our CA, but signed with someone else's key.
    fake_ca = (ca[0], other_ca[1])
    crl = build_crl(*fake_ca, [])
    assert crl.issuer == ca[0].subject
    assert not verify_crl(crl, ca[0])


def test_needs_refresh(ca) -> None:
    crl = build_crl(*ca, [], next_update_days=3)
    assert not needs_refresh(crl)
    assert needs_refresh(crl, now=utcnow() + timedelta(days=2, hours=1))
