"""Readiness and health checks: one probe per kind of component, each a real request."""

from __future__ import annotations

import socket
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import httpx
import pymysql

from services.mesh import registry
from stack.definition import Component
from stack.state import StackContext
from stack.wiring import advertised_host


@cache
def _client() -> httpx.Client:
    # one client for every probe: a new one builds an SSL context each time (~0.1 s of CPU),
    # which made the status of a stack cost half a second of CPU
    return httpx.Client()


@dataclass(frozen=True)
class Health:
    """The result of one probe."""

    ok: bool
    detail: str = ""

    def __str__(self) -> str:
        return "ok" if self.ok else f"failing: {self.detail}"


def _tcp(ctx: StackContext, comp: Component, timeout: float) -> Health:
    try:
        with socket.create_connection((ctx.host(comp), comp.port), timeout=timeout):
            return Health(True)
    except OSError as exc:
        return Health(False, exc.strerror or str(exc))


def _http(ctx: StackContext, comp: Component, timeout: float) -> Health:
    url = ctx.endpoint(comp) + comp.ready.path
    try:
        resp = _client().get(url, timeout=timeout)
    except httpx.HTTPError as exc:
        return Health(False, f"{url}: {exc.__class__.__name__}")
    if resp.status_code != 200:
        return Health(False, f"{url}: HTTP {resp.status_code}")
    return Health(True)


def _etcd(ctx: StackContext, comp: Component, timeout: float) -> Health:
    url = ctx.endpoint(comp) + "/health"
    try:
        resp = _client().get(url, timeout=timeout)
        healthy = resp.status_code == 200 and resp.json().get("health") == "true"
    except (httpx.HTTPError, ValueError) as exc:
        return Health(False, f"{url}: {exc.__class__.__name__}")
    return Health(True) if healthy else Health(False, f"{url}: {resp.text.strip()[:80]}")


def _sql(ctx: StackContext, comp: Component, timeout: float) -> Health:
    from stack.bootstrap import mysql_admin_args

    try:
        # a read timeout too: a hung server completes the handshake's TCP part, then never answers
        conn = pymysql.connect(**mysql_admin_args(ctx, comp), connect_timeout=max(1, int(timeout)),
                               read_timeout=max(1.0, timeout))
    except pymysql.MySQLError as exc:
        return Health(False, str(exc.args[-1]) if exc.args else exc.__class__.__name__)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT 1")
            cur.fetchone()
    except pymysql.MySQLError as exc:
        return Health(False, str(exc.args[-1]) if exc.args else exc.__class__.__name__)
    finally:
        conn.close()
    return Health(True)


def _grpc(ctx: StackContext, comp: Component, timeout: float) -> Health:
    import grpc
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    from stack.credentials import CLIENT_IDENTITY, tls_paths

    paths = tls_paths(ctx, CLIENT_IDENTITY)
    try:
        creds = grpc.ssl_channel_credentials(
            paths.ca.read_bytes(), paths.key.read_bytes(), paths.cert.read_bytes()
        )
    except OSError as exc:
        return Health(False, f"no client certificate for health checks: {exc.strerror}")
    # where this machine reaches it (a container's published port), not where it registers
    address = registry.format_address(ctx.host(comp), comp.port)
    with grpc.secure_channel(address, creds) as channel:
        try:
            reply = health_pb2_grpc.HealthStub(channel).Check(
                health_pb2.HealthCheckRequest(service=""), timeout=timeout
            )
        except grpc.RpcError as exc:
            return Health(False, f"{address}: {exc.code().name}")
    if reply.status != health_pb2.HealthCheckResponse.SERVING:
        status = health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status)
        return Health(False, f"{address}: {status}")
    return Health(True)


def registry_address(ctx: StackContext, comp: Component) -> str:
    """The address a service instance registers under (host:port)."""
    return registry.format_address(advertised_host(ctx, comp), comp.port)


def etcd_endpoints(ctx: StackContext) -> list[tuple[str, int]]:
    """Where the stack's service registry answers."""
    etcd = ctx.definition.components["etcd"]
    return [(ctx.host(etcd), etcd.port)]


def registered_instances(ctx: StackContext, comp: Component, timeout: float = 2.0) -> list[dict]:
    """The instances of `comp` registered in etcd now (empty when etcd does not answer)."""
    try:
        return registry.read_instances(etcd_endpoints(ctx), comp.name, timeout=timeout)
    except Exception:
        return []


PROBES: dict[str, Callable[[StackContext, Component, float], Health]] = {
    "tcp": _tcp,
    "http": _http,
    "etcd": _etcd,
    "sql": _sql,
    "grpc": _grpc,
}


def probe(ctx: StackContext, comp: Component, timeout: float = 2.0) -> Health:
    """Run the component's readiness check once; dytt's own processes must also be registered."""
    health = PROBES[comp.ready.check](ctx, comp, timeout)
    if health.ok and comp.kind in ("service", "gateway"):
        address = registry_address(ctx, comp)
        if not any(i.get("address") == address for i in registered_instances(ctx, comp, timeout)):
            return Health(False, f"{address} is not registered in etcd yet")
    return health


def live(ctx: StackContext, comp: Component, timeout: float = 2.0) -> Health:
    """The component's own check only, for liveness: unlike `probe`, no etcd lookup, so that a
    slow etcd does not get every service restarted."""
    return PROBES[comp.ready.check](ctx, comp, timeout)
