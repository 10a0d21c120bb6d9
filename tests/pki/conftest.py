"""Shared fixtures for the pki tests: a CA, a leaf, and a PkiStore in a temp directory."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from pki.ca import create_ca
from pki.issue import default_sans, issue_cert
from pki.store import PkiStore

CaPair = tuple[x509.Certificate, ec.EllipticCurvePrivateKey]


@pytest.fixture(scope="session")
def ca() -> CaPair:
    """A root CA shared by tests that never write to it."""
    return create_ca()


@pytest.fixture(scope="session")
def other_ca() -> CaPair:
    """A second, unrelated CA for 'wrong issuer' cases."""
    return create_ca("some other CA")


@pytest.fixture(scope="session")
def leaf(ca: CaPair) -> CaPair:
    """A leaf for the workload 'user' with the default SANs."""
    return issue_cert(*ca, "user", default_sans("user"))


@pytest.fixture
def store(tmp_path: Path) -> PkiStore:
    """An empty store rooted in a fresh temp directory."""
    return PkiStore(tmp_path / "pki")
