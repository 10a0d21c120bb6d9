"""The CLI use cases in pki.ops, run against a real temp store."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from pki import ops
from pki.certutil import is_issued_by, utcnow
from pki.errors import CertNotFound, InvalidMaterial, InvalidName, MaterialExists
from pki.inspect import describe
from pki.issue import default_sans, issue_cert, leaf_sans
from pki.jwtkeys import sign_token, verify_token
from pki.revocation import is_revoked, revoked_serials, verify_crl
from pki.store import PkiStore

NAMES = {"user": default_sans("user"), "video": ["localhost", "127.0.0.1", "video"]}


def _snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_ensure_material_from_scratch(store: PkiStore) -> None:
    created = ops.ensure_material(store, NAMES)
    assert created == [
        "CA (new)",
        "CRL (new)",
        "certificate user (missing)",
        "certificate video (missing)",
        "JWT key pair (new)",
    ]
    ca_cert, _ = store.load_ca()
    for name, sans in NAMES.items():
        cert, _ = store.load_leaf(name)
        assert is_issued_by(cert, ca_cert)
        assert leaf_sans(cert) == sans
    assert verify_crl(store.load_crl(), ca_cert)
    token = sign_token(store.load_jwt_private(), 42, 60)
    assert verify_token(store.load_jwt_public(), token) == 42


def test_ensure_material_is_idempotent(store: PkiStore) -> None:
    ops.ensure_material(store, NAMES)
    before = _snapshot(store.root)
    assert ops.ensure_material(store, NAMES) == []
    assert _snapshot(store.root) == before


def test_empty_san_list_means_defaults(store: PkiStore) -> None:
    ops.ensure_material(store, {"user": []})
    assert leaf_sans(store.load_leaf_cert("user")) == default_sans("user")
    assert ops.ensure_material(store, {"user": []}) == []


def test_ensure_material_reissues_expiring_leaf_only(store: PkiStore) -> None:
    ops.ensure_material(store, NAMES)
    ca = store.load_ca()
    # Six of seven days gone: less than a third of the lifetime remains.
    start = utcnow() - timedelta(days=6)
    old, old_key = issue_cert(*ca, "user", NAMES["user"], days=7, not_before=start)
    store.save_leaf("user", old, old_key)
    video_before = store.leaf_paths("video")[0].read_bytes()
    assert ops.ensure_material(store, NAMES) == ["certificate user (expiring)"]
    new = store.load_leaf_cert("user")
    assert new.serial_number != old.serial_number
    assert describe(new).days_left == pytest.approx(7, abs=0.01)
    assert store.leaf_paths("video")[0].read_bytes() == video_before


def test_ensure_material_keeps_leaf_with_most_of_its_life(store: PkiStore) -> None:
    ops.ensure_material(store, NAMES)
    start = utcnow() - timedelta(days=4)
    cert, key = issue_cert(*store.load_ca(), "user", NAMES["user"], days=7, not_before=start)
    store.save_leaf("user", cert, key)
    assert ops.ensure_material(store, NAMES) == []
    assert store.load_leaf_cert("user") == cert


def test_ensure_material_reissues_expired_foreign_revoked_and_broken(
    store: PkiStore, other_ca
) -> None:
    ops.ensure_material(store, NAMES)
    start = utcnow() - timedelta(days=10)
    store.save_leaf("user", *issue_cert(*store.load_ca(), "user", ["localhost"], 1, start))
    store.save_leaf("video", *issue_cert(*other_ca, "video", NAMES["video"]))
    assert ops.ensure_material(store, NAMES) == [
        "certificate user (expired)",
        "certificate video (not issued by the current CA)",
    ]
    ops.revoke(store, "user")
    store.leaf_paths("video")[1].write_bytes(b"truncated")
    assert ops.ensure_material(store, NAMES) == [
        "certificate user (revoked)",
        "certificate video (unreadable)",
    ]
    assert ops.ensure_material(store, NAMES) == []


def test_ensure_material_adds_new_sans_and_keeps_extra(store: PkiStore) -> None:
    ops.ensure_material(store, NAMES)
    ops.issue(store, "user", [*NAMES["user"], "extra.internal"])
    assert ops.ensure_material(store, NAMES) == []
    wanted = {"user": [*NAMES["user"], "10.1.2.3"]}
    assert ops.ensure_material(store, wanted) == ["certificate user (SANs changed)"]
    assert leaf_sans(store.load_leaf_cert("user")) == [*wanted["user"], "extra.internal"]


def test_ensure_material_validates_before_writing(store: PkiStore) -> None:
    with pytest.raises(InvalidName):
        ops.ensure_material(store, {"Bad Name": []})
    assert not store.root.exists()


def test_ensure_material_refuses_half_a_ca(store: PkiStore) -> None:
    ops.ensure_material(store, NAMES)
    store.ca_key_path.unlink()
    cert_before = store.ca_cert_path.read_bytes()
    with pytest.raises(InvalidMaterial, match="incomplete CA"):
        ops.ensure_material(store, NAMES)
    assert store.ca_cert_path.read_bytes() == cert_before


def test_ensure_material_restores_missing_jwt_public_key(store: PkiStore) -> None:
    ops.ensure_material(store, NAMES)
    public = store.load_jwt_public()
    store.jwt_public_path.unlink()
    assert ops.ensure_material(store, NAMES) == ["JWT public key (restored)"]
    assert store.load_jwt_public() == public


def test_init_ca_refuses_without_force(store: PkiStore) -> None:
    first = ops.init_ca(store)
    with pytest.raises(MaterialExists, match="already exists"):
        ops.init_ca(store)
    assert describe(store.load_ca_cert()).fingerprint_sha256 == first.fingerprint_sha256
    second = ops.init_ca(store, force=True)
    assert second.fingerprint_sha256 != first.fingerprint_sha256
    assert verify_crl(store.load_crl(), store.load_ca_cert())


def test_new_ca_makes_ensure_reissue_leaves(store: PkiStore) -> None:
    ops.ensure_material(store, NAMES)
    ops.init_ca(store, force=True)
    created = ops.ensure_material(store, NAMES)
    assert created == [
        "certificate user (not issued by the current CA)",
        "certificate video (not issued by the current CA)",
    ]


def test_issue_requires_ca(store: PkiStore) -> None:
    with pytest.raises(CertNotFound, match="no CA"):
        ops.issue(store, "user")


def test_issue_defaults(store: PkiStore) -> None:
    ops.init_ca(store)
    info = ops.issue(store, "user", days=3)
    assert info.identity == "user"
    assert info.days_left == pytest.approx(3, abs=0.01)
    assert leaf_sans(store.load_leaf_cert("user")) == default_sans("user")


def test_rotate_new_key_and_serial_same_sans(store: PkiStore) -> None:
    ops.init_ca(store)
    ops.issue(store, "video", ["video.internal", "10.0.0.9"], days=5)
    old_cert, old_key = store.load_leaf("video")
    info = ops.rotate(store, "video")
    new_cert, new_key = store.load_leaf("video")
    assert new_cert.serial_number != old_cert.serial_number
    assert int(info.serial, 16) == new_cert.serial_number
    assert leaf_sans(new_cert) == leaf_sans(old_cert) == ["video.internal", "10.0.0.9"]
    assert new_key.private_numbers() != old_key.private_numbers()
    assert info.days_left == pytest.approx(5, abs=0.01)


def test_rotate_missing_leaf(store: PkiStore) -> None:
    ops.init_ca(store)
    with pytest.raises(CertNotFound):
        ops.rotate(store, "ghost")


def test_rotate_all(store: PkiStore) -> None:
    ops.ensure_material(store, NAMES)
    before = {n: c.serial_number for n, c in store.list_leaves()}
    infos = ops.rotate_all(store)
    after = {n: c.serial_number for n, c in store.list_leaves()}
    assert [i.identity for i in infos] == ["user", "video"]
    assert all(before[n] != after[n] for n in before)


def test_revoke_writes_verifiable_crl(store: PkiStore) -> None:
    ops.ensure_material(store, NAMES)
    serial = ops.revoke(store, "user")
    assert serial == store.load_leaf_cert("user").serial_number
    crl = store.load_crl()
    assert verify_crl(crl, store.load_ca_cert())
    assert is_revoked(crl, serial)


def test_revoke_twice_keeps_both_entries(store: PkiStore) -> None:
    ops.ensure_material(store, NAMES)
    first = ops.revoke(store, "user")
    ops.rotate(store, "user")
    second = ops.revoke(store, "user")
    assert first != second
    assert revoked_serials(store.load_crl()) == {first, second}
    # Revoking the same certificate again changes nothing in the list.
    ops.revoke(store, "user")
    assert revoked_serials(store.load_crl()) == {first, second}


def test_list_certs_and_check(store: PkiStore) -> None:
    ops.ensure_material(store, NAMES)
    start = utcnow() - timedelta(days=10)
    store.save_leaf("video", *issue_cert(*store.load_ca(), "video", ["localhost"], 1, start))
    ops.revoke(store, "user")
    infos = ops.list_certs(store)
    assert [(i.is_ca, i.identity) for i in infos] == [
        (True, None),
        (False, "user"),
        (False, "video"),
    ]
    assert [i.revoked for i in infos] == [False, True, False]
    problems = ops.check(infos, within_days=3)
    assert problems == ["certificate user: revoked", "certificate video: expired 9.0 days ago"]
    assert ops.check(infos, within_days=8)[0] == "certificate user: expires in 7.0 days"
