"""What renewals rest on: short lifetimes, the lifetime a leaf was issued with, the renewal time,
re-signing the CRL, and the store's writer lock."""

from __future__ import annotations

import fcntl
import os
from datetime import UTC, datetime, timedelta

import pytest

from pki import ops
from pki.certutil import CLOCK_SKEW, utcnow
from pki.issue import backdating, default_sans, issue_cert, issued_lifetime, lifetime_of
from pki.revocation import crl_number, is_revoked
from pki.store import PkiStore

MINUTE = 1 / 1440  # a minute in days


def test_a_minute_long_leaf_is_backdated_by_a_tenth_of_it(ca) -> None:
    before = utcnow().replace(microsecond=0)
    cert, _ = issue_cert(*ca, "user", default_sans("user"), days=MINUTE)
    assert cert.not_valid_after_utc - cert.not_valid_before_utc == pytest.approx(
        timedelta(seconds=66), abs=timedelta(seconds=1))
    assert before - timedelta(seconds=7) <= cert.not_valid_before_utc <= before
    assert lifetime_of(cert) == pytest.approx(timedelta(minutes=1), abs=timedelta(seconds=1))


def test_long_leaves_keep_the_full_clock_skew(ca) -> None:
    cert, _ = issue_cert(*ca, "user", default_sans("user"), days=7)
    assert backdating(timedelta(days=7)) == CLOCK_SKEW
    assert lifetime_of(cert) == pytest.approx(timedelta(days=7), abs=timedelta(seconds=1))


@pytest.mark.parametrize("lifetime", [timedelta(seconds=1), timedelta(minutes=49),
                                      timedelta(minutes=50), timedelta(hours=3),
                                      timedelta(days=30)])
def test_issued_lifetime_inverts_the_backdating(lifetime: timedelta) -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    assert issued_lifetime(start - backdating(lifetime), start + lifetime) == lifetime


def test_renew_at_is_two_thirds_of_the_validity() -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    assert ops.renew_at(start, start + timedelta(days=3)) == start + timedelta(days=2)


def test_rotate_keeps_a_short_lifetime(store: PkiStore) -> None:
    ops.ensure_material(store, {"user": []})
    ops.rotate(store, "user", days=MINUTE)
    old = store.load_leaf_cert("user")
    info = ops.rotate(store, "user")
    assert info.serial != format(old.serial_number, "X")
    assert lifetime_of(store.load_leaf_cert("user")) == pytest.approx(
        timedelta(minutes=1), abs=timedelta(seconds=1))


def test_refresh_crl_keeps_entries_and_sets_the_next_update(store: PkiStore) -> None:
    ops.ensure_material(store, {"user": []})
    serial = ops.revoke(store, "user")
    before = store.load_crl()
    fresh = ops.refresh_crl(store, days=MINUTE)
    assert store.load_crl() == fresh
    assert is_revoked(fresh, serial)
    assert crl_number(fresh) == crl_number(before) + 1
    assert fresh.next_update_utc - fresh.last_update_utc == timedelta(minutes=1)


def test_the_writer_lock_is_reentrant_and_held_against_other_processes(
        store: PkiStore) -> None:
    def try_lock() -> bool:
        # another open file description, as another process (dyttctl certs) would have
        fd = os.open(store.lock_path, os.O_RDWR)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            return False
        finally:
            os.close(fd)

    with store.lock():
        with store.lock():  # ops nest: rotate inside a renewal's own lock
            assert not try_lock()
        assert not try_lock()
    assert try_lock()
