"""mTLS, caller authorization, JWT auth, recovery and graceful stop on the real bootstrap."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import threading
import time
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from pki import ops
from pki.inspect import probe_tls
from pki.jwtkeys import create_jwt_keypair, sign_token
from services.mesh.client import ChannelPool, ServiceClient
from services.mesh.errors import CODE_KEY, AppError, Code, from_rpc_error
from services.mesh.registry import InstanceInfo, instance_info
from services.mesh.tls import IdentityFiles
from tests.services.mesh.conftest import (
    SERVICE,
    Mesh,
    call,
    expired_credentials,
    in_thread,
    other_ca_credentials,
)


def _channel(mesh: Mesh, server, name: str = "gateway") -> grpc.Channel:
    return grpc.secure_channel(f"127.0.0.1:{server.port}", mesh.credentials(name))


def _status(fn) -> grpc.RpcError:
    with pytest.raises(grpc.RpcError) as info:
        fn()
    return info.value


def test_allowed_caller_with_a_token_runs_as_that_user(mesh: Mesh, probe_server) -> None:
    server, calls = probe_server
    with _channel(mesh, server) as channel:
        assert call(channel, "Private", token=mesh.token(7)) == b"user=7 caller=gateway"
    assert calls == ["whoami"]


def test_public_method_treats_missing_or_bad_tokens_as_anonymous(mesh: Mesh, probe_server) -> None:
    server, _ = probe_server
    with _channel(mesh, server) as channel:
        assert call(channel, "Public") == b"user=None caller=gateway"
        assert call(channel, "Public", token="not.a.jwt") == b"user=None caller=gateway"
        assert call(channel, "Public", token=mesh.token(3)) == b"user=3 caller=gateway"


def _alg_none_token(user_id: int) -> str:
    def part(doc: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(doc).encode()).rstrip(b"=").decode()

    now = int(time.time())
    claims = {"sub": str(user_id), "iat": now, "exp": now + 600, "iss": "dytt"}
    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


def test_private_methods_reject_missing_forged_expired_and_alg_none_tokens(
    mesh: Mesh, probe_server
) -> None:
    server, calls = probe_server
    forged = sign_token(create_jwt_keypair()[0], 7, 600)
    expired = sign_token(mesh.store.load_jwt_private(), 7, 1, now=None)
    time.sleep(1.1)
    with _channel(mesh, server) as channel:
        for token in (None, forged, expired, _alg_none_token(7), "garbage"):
            error = _status(lambda t=token: call(channel, "Private", token=t))
            assert error.code() == grpc.StatusCode.UNAUTHENTICATED, token
            assert from_rpc_error(error).code == Code.UNAUTHENTICATED
    assert calls == []


def test_plaintext_client_is_refused(probe_server) -> None:
    server, calls = probe_server
    with grpc.insecure_channel(f"127.0.0.1:{server.port}") as channel:
        error = _status(lambda: call(channel, "Public", timeout=2))
    assert error.code() == grpc.StatusCode.UNAVAILABLE
    assert calls == []


def test_certificate_from_another_ca_is_refused(mesh: Mesh, probe_server) -> None:
    server, calls = probe_server
    creds = other_ca_credentials(mesh.store, "gateway")
    with grpc.secure_channel(f"127.0.0.1:{server.port}", creds) as channel:
        error = _status(lambda: call(channel, "Public", timeout=2))
    assert error.code() == grpc.StatusCode.UNAVAILABLE
    assert calls == []


def test_expired_certificate_is_refused(mesh: Mesh, probe_server) -> None:
    server, calls = probe_server
    creds = expired_credentials(mesh.store, "gateway")
    with grpc.secure_channel(f"127.0.0.1:{server.port}", creds) as channel:
        error = _status(lambda: call(channel, "Public", timeout=2))
    assert error.code() == grpc.StatusCode.UNAVAILABLE
    assert calls == []


def test_identity_not_allowed_gets_permission_denied_but_may_ask_for_health(
    mesh: Mesh, probe_server
) -> None:
    server, calls = probe_server
    with _channel(mesh, server, "intruder") as channel:
        error = _status(lambda: call(channel, "Public", token=mesh.token(1)))
        assert error.code() == grpc.StatusCode.PERMISSION_DENIED
        assert "intruder may not call" in error.details()
        health = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest())
        assert health.status == health_pb2.HealthCheckResponse.SERVING
    assert calls == []


def test_revoked_identity_is_refused_from_then_on(mesh: Mesh, probe_server) -> None:
    server, calls = probe_server
    with _channel(mesh, server) as channel:
        assert call(channel, "Public")
        serial = ops.revoke(mesh.store, "gateway")
        # the same, already-open connection is refused too: the check runs on every call
        error = _status(lambda: call(channel, "Public"))
        assert error.code() == grpc.StatusCode.UNAUTHENTICATED
        assert "revoked" in error.details()
    assert serial > 0
    assert calls == ["whoami"]


def test_unexpected_exception_is_internal_without_details_and_the_server_lives_on(
    mesh: Mesh, probe_server, caplog: pytest.LogCaptureFixture
) -> None:
    server, _ = probe_server
    with caplog.at_level(logging.ERROR, logger="dytt.rpc"), _channel(mesh, server) as channel:
        error = _status(lambda: call(channel, "Boom", token=mesh.token(1)))
        assert error.code() == grpc.StatusCode.INTERNAL
        assert error.details() == "internal error"
        assert "hunter2" not in str(error.debug_error_string())
        assert call(channel, "Public") == b"user=None caller=gateway"
    assert any("hunter2" in (r.exc_text or "") for r in caplog.records)


def test_app_error_keeps_its_precise_code_across_the_hop(mesh: Mesh, probe_server) -> None:
    server, _ = probe_server
    with _channel(mesh, server) as channel:
        error = _status(lambda: call(channel, "Refuse", token=mesh.token(1)))
    assert error.code() == grpc.StatusCode.NOT_FOUND
    assert (CODE_KEY, str(int(Code.NOT_FOUND))) in error.trailing_metadata()
    app = from_rpc_error(error)
    assert (app.code, app.message) == (Code.NOT_FOUND, "video 7 does not exist")


def test_every_rpc_is_logged_with_method_caller_code_and_duration(
    mesh: Mesh, probe_server, caplog: pytest.LogCaptureFixture
) -> None:
    server, _ = probe_server
    with caplog.at_level(logging.INFO, logger="dytt.rpc"), _channel(mesh, server) as channel:
        call(channel, "Private", token=mesh.token(5))
        _status(lambda: call(channel, "Refuse", token=mesh.token(5)))
    rpcs = [r for r in caplog.records if r.getMessage() == "rpc"]
    assert [(r.method, r.caller, r.user_id, r.code) for r in rpcs] == [
        ("/dytt.test.v1.Probe/Private", "gateway", 5, "OK"),
        ("/dytt.test.v1.Probe/Refuse", "gateway", 5, "NOT_FOUND"),
    ]
    assert all(r.duration_ms >= 0 for r in rpcs)


def test_rotation_under_load_drops_no_call_and_new_handshakes_see_the_new_serial(
    mesh: Mesh, probe_server
) -> None:
    server, _ = probe_server
    before = mesh.store.load_leaf_cert("probe").serial_number
    failures: list[BaseException] = []
    done = threading.Event()
    count = 0

    def loop() -> None:
        nonlocal count
        channel = _channel(mesh, server)
        while not done.is_set():
            try:
                call(channel, "Public")
                count += 1
                if count % 5 == 0:  # fresh connections too, so new handshakes happen
                    channel.close()
                    channel = _channel(mesh, server)
            except grpc.RpcError as exc:
                failures.append(exc)
        channel.close()

    thread = threading.Thread(target=loop)
    thread.start()
    time.sleep(0.5)
    ops.rotate(mesh.store, "probe")
    time.sleep(1.0)
    done.set()
    thread.join()
    assert failures == []
    assert count > 20
    paths = mesh.store.leaf_paths("gateway")
    seen = probe_tls("127.0.0.1", server.port, mesh.store.ca_cert_path, *paths)
    assert seen.ok, seen.error
    after = mesh.store.load_leaf_cert("probe").serial_number
    assert after != before
    assert int(seen.peer_chain[0].serial, 16) == after


def test_graceful_stop_lets_in_flight_calls_finish(mesh: Mesh, probe_server) -> None:
    server, _ = probe_server
    channel = _channel(mesh, server)
    call(channel, "Public")  # connected before the stop begins
    threads = [in_thread(lambda: call(channel, "Slow", b"1.0", token=mesh.token(1)))
               for _ in range(3)]
    time.sleep(0.3)
    started = time.monotonic()
    server.stop(grace=5)
    for thread, _out in threads:
        thread.join()
    assert [out for _t, out in threads] == [[b"done"]] * 3
    assert time.monotonic() - started < 4
    with pytest.raises(grpc.RpcError):
        call(channel, "Public", timeout=1)
    channel.close()


class _Listed:
    """A discovery whose instances the test sets (no etcd)."""

    def __init__(self, service: str, *instances: InstanceInfo) -> None:
        self.service = service
        self.generation = 0
        self.current = tuple(instances)

    def list(self, *instances: InstanceInfo) -> None:
        self.current = tuple(instances)
        self.generation += 1

    def instances(self) -> list[InstanceInfo]:
        return list(self.current)

    def pick(self, exclude: frozenset[str] = frozenset()) -> InstanceInfo:
        for instance in self.current:
            if instance.address not in exclude:
                return instance
        raise AppError(Code.UNAVAILABLE)


def _client(pool: ChannelPool, discovery: _Listed, token: str = "") -> ServiceClient:
    """A client of the probe service's Public and Slow methods, as generated aio stubs call."""

    def stub(channel: grpc.aio.Channel) -> SimpleNamespace:
        def method(name: str, token: str = "") -> Callable[..., Any]:
            multicallable = channel.unary_unary(f"/{SERVICE}/{name}")
            metadata = (("authorization", f"Bearer {token}"),) if token else ()
            return lambda request, timeout, **_: multicallable(request, timeout=timeout,
                                                               metadata=metadata)

        return SimpleNamespace(Public=method("Public"), Slow=method("Slow", token))

    return ServiceClient(discovery, pool, stub)  # type: ignore[arg-type]


def _probe(address: str, service: str = "probe") -> InstanceInfo:
    return instance_info(service, address, address, "1", f"spiffe://dytt/{service}")


async def _until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.01)


@pytest.mark.anyio
async def test_client_closes_the_channels_of_instances_that_left(mesh: Mesh,
                                                                 probe_server) -> None:
    server, _ = probe_server
    live, gone = _probe(f"127.0.0.1:{server.port}"), _probe("127.0.0.1:1")
    discovery = _Listed("probe", live, gone)
    pool = ChannelPool(IdentityFiles(mesh.store, "gateway"))
    client = _client(pool, discovery)
    assert await client.call("Public", b"", idempotent=True) == b"user=None caller=gateway"
    with pool.lease(gone.address, 1) as gone_channel:
        pass
    assert pool.open_channels() == ({live.address, gone.address}, 0)
    discovery.list(live)  # the registry changed: `gone` is not listed
    await client.call("Public", b"", idempotent=True)
    assert pool.open_channels() == ({live.address}, 0)
    # closing is a coroutine the pool runs by itself, not a leak
    await _until(lambda: gone_channel.get_state() == grpc.ChannelConnectivity.SHUTDOWN)
    await pool.close()


@pytest.mark.anyio
async def test_a_channel_that_leaves_is_closed_only_after_its_calls_end(mesh: Mesh,
                                                                        probe_server) -> None:
    """A registry change (or another service's) never cancels a call in flight."""
    server, _ = probe_server
    probe = _probe(f"127.0.0.1:{server.port}")
    other = _probe("127.0.0.1:1", "other")
    pool = ChannelPool(IdentityFiles(mesh.store, "gateway"))
    probes, others = _Listed("probe", probe), _Listed("other", other)
    client, other_client = _client(pool, probes, mesh.token(1)), _client(pool, others)
    slow = asyncio.create_task(client.call("Slow", b"1.0", idempotent=True))
    await _until(lambda: probe.address in pool.open_channels()[0])
    # another service's client prunes its own instances: ours must stay untouched
    others.list()
    with pytest.raises(AppError):
        await other_client.call("Public", b"", idempotent=True)
    assert probe.address in pool.open_channels()[0]
    # our own instance leaves the registry while the call runs: retired, not closed
    probes.list()
    pool.retain("probe", set())
    assert pool.open_channels() == (set(), 1)
    assert await asyncio.wait_for(slow, 5) == b"done"
    assert pool.open_channels() == (set(), 0)
    await pool.close()


@pytest.mark.anyio
async def test_a_renewed_certificate_retires_every_channel_after_its_calls(
    mesh: Mesh, probe_server, monkeypatch: pytest.MonkeyPatch
) -> None:
    from services.mesh import client as client_module

    monkeypatch.setattr(client_module, "IDENTITY_CHECK", 0.0)  # look at the files every call
    server, _ = probe_server
    probe = _probe(f"127.0.0.1:{server.port}")
    pool = ChannelPool(IdentityFiles(mesh.store, "gateway"))
    client = _client(pool, _Listed("probe", probe), mesh.token(1))
    await client.call("Public", b"", idempotent=True)
    with pool.lease(probe.address, 5) as old:
        ops.rotate(mesh.store, "gateway")
        # the next call opens a connection that presents the new certificate
        assert await client.call("Public", b"", idempotent=True) == b"user=None caller=gateway"
        assert pool.open_channels() == ({probe.address}, 1)
        assert old.get_state() != grpc.ChannelConnectivity.SHUTDOWN
    assert pool.open_channels() == ({probe.address}, 0)
    await _until(lambda: old.get_state() == grpc.ChannelConnectivity.SHUTDOWN)
    await pool.close()
