"""A test service on the real bootstrap, with real certificates from a throwaway CA."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import grpc
import pytest

from pki import ops
from pki.ca import create_ca
from pki.issue import default_sans, issue_cert
from pki.store import PkiStore
from services.mesh.errors import AppError, Code
from services.mesh.server import RunningServer, ServiceSpec, create_server
from services.mesh.settings import ServerSettings
from services.mesh.tls import IdentityFiles, channel_credentials

SERVICE = "dytt.test.v1.Probe"


def _behaviours(calls: list[str]) -> dict[str, Callable[[bytes, grpc.ServicerContext], bytes]]:
    from services.mesh.context import current_caller, current_user_id

    def whoami(request: bytes, context: grpc.ServicerContext) -> bytes:
        calls.append("whoami")
        return f"user={current_user_id()} caller={current_caller()}".encode()

    def slow(request: bytes, context: grpc.ServicerContext) -> bytes:
        time.sleep(float(request.decode() or "1"))
        return b"done"

    def boom(request: bytes, context: grpc.ServicerContext) -> bytes:
        raise RuntimeError("secret internals: db password is hunter2")

    def refuse(request: bytes, context: grpc.ServicerContext) -> bytes:
        raise AppError(Code.NOT_FOUND, "video 7 does not exist")

    return {"Public": whoami, "Private": whoami, "Slow": slow, "Boom": boom, "Refuse": refuse}


def probe_spec(calls: list[str]) -> ServiceSpec:
    """A service with one public and several private methods, on raw bytes."""
    handlers = {
        name: grpc.unary_unary_rpc_method_handler(fn)
        for name, fn in _behaviours(calls).items()
    }

    def register(server: grpc.Server) -> None:
        server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(SERVICE, handlers),))

    return ServiceSpec(SERVICE, register, public_methods=("Public",))


@dataclass
class Mesh:
    """A PKI store with identities `probe` (server), `gateway` (allowed) and `intruder`."""

    store: PkiStore

    def credentials(self, name: str) -> grpc.ChannelCredentials:
        return channel_credentials(IdentityFiles(self.store, name).load())

    def settings(self, **overrides: object) -> ServerSettings:
        values = {
            "name": "probe", "pki_dir": self.store.root, "port": 0,
            "allowed_callers": ["gateway"], "etcd": "127.0.0.1:1", "grace_period": 5.0,
        }
        values.update(overrides)
        return ServerSettings(**values)  # type: ignore[arg-type]

    def token(self, user_id: int, ttl: int = 600) -> str:
        from pki.jwtkeys import sign_token

        return sign_token(self.store.load_jwt_private(), user_id, ttl)


@pytest.fixture
def mesh(tmp_path: Path) -> Mesh:
    store = PkiStore(tmp_path / "pki")
    ops.ensure_material(store, {n: default_sans(n) for n in ("probe", "gateway", "intruder")})
    return Mesh(store)


@pytest.fixture
def probe_server(mesh: Mesh) -> Iterator[tuple[RunningServer, list[str]]]:
    calls: list[str] = []
    running = create_server(mesh.settings(), probe_spec(calls))
    yield running, calls
    running.stop(0)


def call(channel: grpc.Channel, method: str, body: bytes = b"", token: str | None = None,
         timeout: float = 5) -> bytes:
    """Call a method of the probe service."""
    metadata = (("authorization", f"Bearer {token}"),) if token else ()
    stub = channel.unary_unary(f"/{SERVICE}/{method}")
    return stub(body, timeout=timeout, metadata=metadata)


def in_thread(fn: Callable[[], object]) -> tuple[threading.Thread, list[object]]:
    """Run `fn` in a thread; its result or exception lands in the returned list."""
    out: list[object] = []

    def run() -> None:
        try:
            out.append(fn())
        except Exception as exc:
            out.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, out


def expired_credentials(store: PkiStore, name: str) -> grpc.ChannelCredentials:
    """A certificate of our own CA for `name` that expired yesterday."""
    from datetime import UTC, datetime, timedelta

    from pki.store import cert_pem, key_pem

    ca_cert, ca_key = store.load_ca()
    cert, key = issue_cert(ca_cert, ca_key, name, default_sans(name), days=1,
                           not_before=datetime.now(UTC) - timedelta(days=3))
    return grpc.ssl_channel_credentials(cert_pem(ca_cert), key_pem(key), cert_pem(cert))


def other_ca_credentials(store: PkiStore, name: str) -> grpc.ChannelCredentials:
    """A valid-looking certificate for `name` from a CA the servers do not trust."""
    from pki.store import cert_pem, key_pem

    other_cert, other_key = create_ca("impostor CA")
    cert, key = issue_cert(other_cert, other_key, name, default_sans(name))
    # trust our real CA for the server side, so only the client certificate is wrong
    return grpc.ssl_channel_credentials(store.ca_cert_path.read_bytes(), key_pem(key),
                                        cert_pem(cert))
