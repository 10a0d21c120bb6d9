"""On-disk layout, permissions, and atomic writes."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from pki import store as store_module
from pki.errors import CertNotFound, InvalidMaterial, InvalidName
from pki.issue import issue_cert
from pki.jwtkeys import create_jwt_keypair
from pki.revocation import build_crl
from pki.store import PkiStore, atomic_write


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_layout(store: PkiStore) -> None:
    root = store.root
    assert store.ca_cert_path == root / "ca.crt"
    assert store.ca_key_path == root / "ca.key"
    assert store.crl_path == root / "ca.crl"
    assert store.leaf_paths("user") == (root / "certs/user.crt", root / "certs/user.key")
    assert store.jwt_private_path == root / "jwt/private.pem"
    assert store.jwt_public_path == root / "jwt/public.pem"


def test_leaf_paths_reject_traversal(store: PkiStore) -> None:
    with pytest.raises(InvalidName):
        store.leaf_paths("../ca")


def test_ca_round_trip_and_modes(store: PkiStore, ca) -> None:
    store.save_ca(*ca)
    cert, key = store.load_ca()
    assert cert == ca[0]
    assert key.private_numbers() == ca[1].private_numbers()
    assert _mode(store.ca_key_path) == 0o600
    assert _mode(store.root) == 0o700
    assert store.ca_key_path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    assert store.ca_cert_path.read_bytes().startswith(b"-----BEGIN CERTIFICATE-----")


def test_leaf_round_trip_modes_and_listing(store: PkiStore, ca, leaf) -> None:
    store.save_leaf("user", *leaf)
    other = issue_cert(*ca, "video", ["localhost"])
    store.save_leaf("video", *other)
    _, key = store.leaf_paths("user")
    assert _mode(key) == 0o600
    assert _mode(store.certs_dir) == 0o700
    assert store.load_leaf("user")[0] == leaf[0]
    assert [(n, c) for n, c in store.list_leaves()] == [("user", leaf[0]), ("video", other[0])]


def test_jwt_keys_modes(store: PkiStore) -> None:
    private_pem, public_pem = create_jwt_keypair()
    store.save_jwt_keypair(private_pem, public_pem)
    assert _mode(store.jwt_private_path) == 0o600
    assert _mode(store.jwt_private_path.parent) == 0o700
    assert store.load_jwt_private() == private_pem
    assert store.load_jwt_public() == public_pem


def test_key_mode_does_not_depend_on_umask(store: PkiStore, leaf) -> None:
    old = os.umask(0)
    try:
        store.save_leaf("user", *leaf)
    finally:
        os.umask(old)
    assert _mode(store.leaf_paths("user")[1]) == 0o600


def test_keys_are_created_private_never_chmodded(
    store: PkiStore, leaf, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[tuple[str, int]] = []
    real_open = os.open

    def spy_open(path, flags, mode=0o777, *args, **kwargs):
        opened.append((os.fspath(path), mode))
        return real_open(path, flags, mode, *args, **kwargs)

    def forbid(*_args, **_kwargs):
        raise AssertionError("chmod after writing leaves a window where the key is readable")

    monkeypatch.setattr(store_module.os, "open", spy_open)
    monkeypatch.setattr(os, "chmod", forbid)
    monkeypatch.setattr(os, "fchmod", forbid)
    monkeypatch.setattr(Path, "chmod", forbid)
    store.save_leaf("user", *leaf)
    key_temp_modes = [mode for path, mode in opened if ".user.key." in path]
    assert key_temp_modes == [0o600]


def test_write_goes_through_temp_file_and_replace(
    store: PkiStore, leaf, monkeypatch: pytest.MonkeyPatch
) -> None:
    replaced: list[tuple[Path, Path]] = []
    real_replace = os.replace

    def spy_replace(src, dst):
        # At rename time the full new content must already be in the temp file.
        assert Path(src).read_bytes()
        replaced.append((Path(src), Path(dst)))
        real_replace(src, dst)

    monkeypatch.setattr(store_module.os, "replace", spy_replace)
    store.save_leaf("user", *leaf)
    crt, key = store.leaf_paths("user")
    assert [dst for _, dst in replaced] == [key, crt]
    assert all(src.parent == dst.parent and src != dst for src, dst in replaced)


def test_failed_write_keeps_old_file_and_leaves_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "d" / "file.pem"
    atomic_write(target, b"old", 0o600)

    def broken_fsync(_fd: int) -> None:
        raise OSError("disk on fire")

    monkeypatch.setattr(store_module.os, "fsync", broken_fsync)
    with pytest.raises(OSError, match="disk on fire"):
        atomic_write(target, b"new content", 0o600)
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in target.parent.iterdir()) == ["file.pem"]


def test_missing_files(store: PkiStore) -> None:
    with pytest.raises(CertNotFound, match="CA not found"):
        store.load_ca()
    with pytest.raises(CertNotFound, match="'user'"):
        store.load_leaf("user")
    assert store.load_crl() is None
    assert store.list_leaves() == []


def test_corrupt_and_mismatched_material(store: PkiStore, ca, leaf) -> None:
    store.save_leaf("user", *leaf)
    crt, key = store.leaf_paths("user")
    atomic_write(key, store_module.key_pem(ca[1]), 0o600)
    with pytest.raises(InvalidMaterial, match="does not match"):
        store.load_leaf("user")
    atomic_write(crt, b"garbage", 0o644)
    with pytest.raises(InvalidMaterial, match="unreadable certificate"):
        store.load_leaf("user")
    with pytest.raises(InvalidMaterial, match="does not match"):
        store.save_leaf("user", leaf[0], ca[1])


def test_crl_round_trip(store: PkiStore, ca) -> None:
    crl = build_crl(*ca, [])
    store.save_crl(crl)
    assert store.load_crl() == crl
