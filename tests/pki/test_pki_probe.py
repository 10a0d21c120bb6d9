"""probe_tls against a real mutual-TLS server on 127.0.0.1."""

from __future__ import annotations

import socket
import ssl
from pathlib import Path

import pytest

from pki.errors import CertNotFound
from pki.inspect import probe_tls
from pki.issue import default_sans, issue_cert
from pki.store import PkiStore
from tests.tls_server import TlsServer, mtls_context


@pytest.fixture
def material(tmp_path: Path, ca, other_ca) -> PkiStore:
    """A store with our CA, a client leaf, a good server leaf, and a foreign-CA server leaf."""
    store = PkiStore(tmp_path / "pki")
    store.save_ca(*ca)
    store.save_leaf("gateway", *issue_cert(*ca, "gateway", default_sans("gateway")))
    store.save_leaf("user", *issue_cert(*ca, "user", default_sans("user")))
    store.save_leaf("nohost", *issue_cert(*ca, "nohost", ["example.internal"]))
    store.save_leaf("impostor", *issue_cert(*other_ca, "impostor", default_sans("impostor")))
    store.save_leaf("stranger", *issue_cert(*other_ca, "stranger", default_sans("stranger")))
    return store


def _server(store: PkiStore, name: str, max_version: ssl.TLSVersion | None = None) -> TlsServer:
    return TlsServer(mtls_context(*store.leaf_paths(name), store.ca_cert_path, max_version))


def _probe(store: PkiStore, port: int, client: str = "gateway"):
    return probe_tls("127.0.0.1", port, store.ca_cert_path, *store.leaf_paths(client), timeout=5)


@pytest.mark.parametrize(
    ("max_version", "expected_version"),
    [(None, "TLSv1.3"), (ssl.TLSVersion.TLSv1_2, "TLSv1.2")],
)
def test_probe_succeeds_with_valid_client_cert(
    material: PkiStore, ca, max_version, expected_version: str
) -> None:
    with _server(material, "user", max_version).running() as server:
        result = _probe(material, server.port)
    assert result.ok, result.error
    assert result.error is None
    assert result.tls_version == expected_version
    assert result.cipher
    assert result.alpn == "h2"
    assert [info.identity for info in result.peer_chain] == ["user", None]
    assert result.peer_chain[1].is_ca
    assert result.peer_chain[1].subject == ca[0].subject.rfc4514_string()
    assert server.clients == ["gateway"]


def test_probe_fails_when_server_cert_is_from_another_ca(material: PkiStore, other_ca) -> None:
    with _server(material, "impostor").running() as server:
        result = _probe(material, server.port)
    assert result.ok is False
    assert result.error is not None
    assert "certificate verify failed" in result.error
    assert "\n" not in result.error
    # For diagnosis the probe still shows which certificate the server presented.
    assert [info.identity for info in result.peer_chain] == ["impostor"]
    assert result.peer_chain[0].issuer == other_ca[0].subject.rfc4514_string()


def test_probe_fails_on_hostname_mismatch(material: PkiStore) -> None:
    with _server(material, "nohost").running() as server:
        result = _probe(material, server.port)
    assert result.ok is False
    assert "mismatch" in (result.error or "").lower()


@pytest.mark.parametrize("max_version", [None, ssl.TLSVersion.TLSv1_2])
def test_probe_reports_server_rejecting_our_client_cert(material: PkiStore, max_version) -> None:
    with _server(material, "user", max_version).running() as server:
        result = _probe(material, server.port, client="stranger")
    assert result.ok is False
    assert result.error == "server rejected the handshake: tlsv1 alert unknown ca"
    assert server.clients == []
    assert server.errors, "the server should have refused the handshake"


def test_probe_reports_connection_refused(material: PkiStore) -> None:
    with socket.create_server(("127.0.0.1", 0)) as sock:
        port = sock.getsockname()[1]
    result = _probe(material, port)
    assert result.ok is False
    assert result.error and "refused" in result.error.lower()
    assert result.peer_chain == []


def test_probe_with_missing_client_cert_raises(material: PkiStore, tmp_path: Path) -> None:
    with pytest.raises(CertNotFound, match="not found"):
        probe_tls("127.0.0.1", 1, material.ca_cert_path, tmp_path / "no.crt", tmp_path / "no.key")
