"""stack.credentials: the stack's identities, their material, and where the files are."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from pki import ops
from pki.errors import CertNotFound, InvalidMaterial, MaterialExists
from pki.issue import default_sans, leaf_sans
from pki.store import PkiStore
from stack import credentials
from stack.definition import load_definition
from stack.state import StackContext

STACK = textwrap.dedent(
    """
    [stack]
    host = "127.0.0.1"

    [components.db]
    kind = "infra"
    ports = { main = 23306 }
    ready = { check = "tcp" }

    [components.user]
    kind = "service"
    ports = { main = 25001 }
    ready = { check = "tcp" }

    [components.feed]
    kind = "service"
    host = "feed.internal"
    ports = { main = 25002 }
    ready = { check = "tcp" }

    [components.edge]
    kind = "gateway"
    host = "0:0::1"
    ports = { main = 28080 }
    ready = { check = "tcp" }
    """
)


@pytest.fixture
def ctx(tmp_path: Path) -> StackContext:
    base = tmp_path / "stack.toml"
    base.write_text(STACK)
    return StackContext(load_definition(None, {}, base_file=base), tmp_path / "home")


def _snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_identities_are_services_gateways_and_dyttctl(ctx: StackContext) -> None:
    names = credentials.identities(ctx)
    assert list(names) == ["user", "feed", "edge", "dyttctl"]
    # the stack host 127.0.0.1 is a default SAN already; it is not repeated
    assert names["user"] == default_sans("user")
    assert names["feed"] == [*default_sans("feed"), "feed.internal"]
    # 0:0::1 is ::1, which the defaults hold
    assert names["edge"] == default_sans("edge")
    assert names["dyttctl"] == default_sans("dyttctl")


def test_the_default_stack_has_a_client_identity(tmp_path: Path) -> None:
    ctx = StackContext(load_definition(None, {}), tmp_path / "home")
    names = credentials.identities(ctx)
    assert credentials.CLIENT_IDENTITY in names
    assert "mysql" not in names


def test_sans_for_adds_extra_sans_once(ctx: StackContext) -> None:
    assert credentials.sans_for(ctx, "feed", ["x.example", "FEED.internal"]) == [
        *default_sans("feed"),
        "feed.internal",
        "x.example",
    ]
    assert credentials.sans_for(ctx, "adhoc") == default_sans("adhoc")


def test_ensure_creates_everything_once(ctx: StackContext) -> None:
    created = credentials.ensure(ctx)
    store = credentials.pki_store(ctx)
    assert store.root == ctx.home / "pki"
    assert store.has_ca() and store.has_jwt_keypair()
    assert [name for name, _ in store.list_leaves()] == ["dyttctl", "edge", "feed", "user"]
    assert any("certificate feed" in line for line in created)
    assert "feed.internal" in leaf_sans(store.load_leaf_cert("feed"))

    before = _snapshot(store.root)
    assert credentials.ensure(ctx) == []
    assert _snapshot(store.root) == before


def test_ensure_keeps_a_leaf_with_extra_sans(ctx: StackContext) -> None:
    credentials.ensure(ctx)
    store = credentials.pki_store(ctx)
    ops.issue(store, "user", credentials.sans_for(ctx, "user", ["user.example"]))
    before = _snapshot(store.root)
    assert credentials.ensure(ctx) == []
    assert _snapshot(store.root) == before


def test_tls_paths(ctx: StackContext) -> None:
    pki = ctx.home / "pki"
    paths = credentials.tls_paths(ctx, "feed")
    assert paths == credentials.TlsPaths(
        ca=pki / "ca.crt",
        cert=pki / "certs" / "feed.crt",
        key=pki / "certs" / "feed.key",
        crl=pki / "ca.crl",
        jwt_public=pki / "jwt" / "public.pem",
        jwt_private=pki / "jwt" / "private.pem",
    )
    credentials.ensure(ctx)
    client = credentials.tls_paths(ctx, credentials.CLIENT_IDENTITY)
    assert all(Path(p).is_file() for p in vars(client).values())


def test_tls_paths_of_a_component_without_identity_fails(ctx: StackContext) -> None:
    with pytest.raises(CertNotFound, match="'db' has no certificate identity"):
        credentials.tls_paths(ctx, "db")


def test_init_refuses_to_replace_a_ca_and_reports_stale_leaves(ctx: StackContext) -> None:
    info, created = credentials.init(ctx)
    assert info.is_ca
    assert created == ["JWT key pair (new)"]
    credentials.ensure(ctx)
    assert credentials.foreign_leaves(ctx) == []
    with pytest.raises(MaterialExists, match="already exists"):
        credentials.init(ctx)
    jwt = credentials.pki_store(ctx).load_jwt_private()
    credentials.init(ctx, force=True)
    # a forced init replaces the CA only: the JWT keys stay, the leaves are now stale
    assert credentials.pki_store(ctx).load_jwt_private() == jwt
    assert credentials.foreign_leaves(ctx) == ["dyttctl", "edge", "feed", "user"]


def test_describe_file_checks_the_chain_against_our_ca(ctx: StackContext, tmp_path: Path) -> None:
    credentials.ensure(ctx)
    store = credentials.pki_store(ctx)
    leaf_path, _ = store.leaf_paths("user")
    bundle = tmp_path / "bundle.pem"
    bundle.write_bytes(leaf_path.read_bytes() + store.ca_cert_path.read_bytes())
    leaf, ca = credentials.describe_file(ctx, bundle)
    assert (leaf.info.identity, leaf.info.revoked) == ("user", False)
    assert leaf.trust == "issued by our CA"
    assert (ca.info.is_ca, ca.trust) == (True, "our CA")

    ops.revoke(store, "user")
    assert credentials.describe_file(ctx, leaf_path)[0].info.revoked is True

    other = PkiStore(tmp_path / "other")
    ops.init_ca(other)
    ops.issue(other, "user")
    [stranger] = credentials.describe_file(ctx, other.leaf_paths("user")[0])
    assert stranger.trust == "not issued by our CA"


def test_describe_file_rejects_what_is_no_certificate(ctx: StackContext, tmp_path: Path) -> None:
    junk = tmp_path / "junk.pem"
    junk.write_text("-----BEGIN NOTHING-----\n")
    with pytest.raises(InvalidMaterial, match="no PEM or DER certificate"):
        credentials.describe_file(ctx, junk)
