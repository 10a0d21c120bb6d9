"""The one gRPC server bootstrap of dytt: mTLS, health, interceptors, registry, graceful stop."""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable, Iterable
from concurrent import futures
from dataclasses import dataclass, field

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

from pki.store import PkiStore
from services.mesh import tracing
from services.mesh.catalog import ServiceApi
from services.mesh.interceptors import chain
from services.mesh.registry import Registration, format_address, instance_info
from services.mesh.runtime import freeze_startup_heap
from services.mesh.settings import ServerSettings
from services.mesh.tls import IdentityFiles, RevocationList, server_credentials

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ServiceSpec:
    """What a service plugs into the bootstrap."""

    # full service name as in the proto, e.g. "dytt.user.v1.UserService"
    grpc_name: str
    # adds the servicer(s) to the server
    register: Callable[[grpc.Server], None]
    # methods callable without a valid token (anonymous viewer), e.g. "GetUser"
    public_methods: Iterable[str] = field(default_factory=tuple)

    @classmethod
    def of(cls, api: ServiceApi, servicer: object) -> ServiceSpec:
        """The spec of the servicer of one of dytt's services (see `catalog`)."""
        return cls(api.grpc_name, lambda server: api.add_to_server(servicer, server), api.public)


@dataclass
class RunningServer:
    """A started server with what it needs to stop gracefully."""

    server: grpc.Server
    port: int
    health: health.HealthServicer
    registration: Registration | None = None
    # the plaintext health-only server, when the settings ask for one (see `health_port`)
    health_server: grpc.Server | None = None

    def stop(self, grace: float, linger: float = 0.0) -> None:
        """Deregister, report NOT_SERVING, keep serving `linger` s, then let in-flight RPCs
        finish within `grace` and stop."""
        if self.registration is not None:
            self.registration.stop()
        self.health.enter_graceful_shutdown()
        if self.registration is not None and linger > 0:
            # clients learn of the deregistration from their etcd watch a moment later; a call
            # they send meanwhile must still be served, not refused after it was sent (for a
            # write, the client could not tell whether it was applied)
            time.sleep(linger)
        self.server.stop(grace).wait(grace + 1)
        if self.health_server is not None:
            self.health_server.stop(0)


def create_server(settings: ServerSettings, spec: ServiceSpec) -> RunningServer:
    """Build and start (but not register) the server; binds port 0 to a free one."""
    store = PkiStore(settings.pki_dir)
    identity = IdentityFiles(store, settings.name)
    crl = RevocationList(store.crl_path)
    public = [f"/{spec.grpc_name}/{m}" for m in spec.public_methods]
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=settings.workers, thread_name_prefix="rpc"),
        interceptors=chain(store.load_jwt_public, public, settings.allowed_callers, crl),
        options=[("grpc.so_reuseport", 0), ("grpc.max_receive_message_length", 64 * 1024 * 1024)],
    )
    spec.register(server)
    health_servicer = health.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    listen = format_address(settings.host, settings.port)
    port = server.add_secure_port(listen, server_credentials(identity))
    if port == 0:
        raise RuntimeError(f"cannot listen on {listen}")
    server.start()
    for name in ("", spec.grpc_name):
        health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
    health_server = None
    if settings.health_port is not None:
        health_server = _health_only_server(settings, health_servicer)
    return RunningServer(server, port, health_servicer, health_server=health_server)


def _health_only_server(settings: ServerSettings,
                        servicer: health.HealthServicer) -> grpc.Server:
    """The same health servicer, alone and in plaintext: a probe that cannot present a client
    certificate learns SERVING or NOT_SERVING and can call nothing else."""
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2, thread_name_prefix="health"),
                         options=[("grpc.so_reuseport", 0)])
    health_pb2_grpc.add_HealthServicer_to_server(servicer, server)
    listen = format_address(settings.host, settings.health_port or 0)
    if server.add_insecure_port(listen) == 0:
        raise RuntimeError(f"cannot listen on {listen} (health)")
    server.start()
    return server


def serve(settings: ServerSettings, spec: ServiceSpec) -> None:
    """Run the service until SIGTERM or SIGINT, then stop gracefully and return."""
    running = create_server(settings, spec)
    address = format_address(settings.advertised_host(), running.port)
    info = instance_info(settings.name, settings.instance_id, address, settings.version)
    running.registration = Registration(settings.etcd_endpoints, info, settings.registry_ttl)
    running.registration.start()
    freeze_startup_heap()
    log.info("serving", extra={"address": address, "instance": settings.instance_id})

    stopping = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stopping.set())
    # waits in slices: a signal taken by another thread (after SIGSTOP/SIGCONT) is only acted
    # on when the main thread runs Python code again
    while not stopping.wait(1.0):
        pass
    log.info("stopping: deregistering and draining", extra={"grace_s": settings.grace_period})
    running.stop(settings.grace_period, settings.deregister_delay)
    tracing.flush()
    log.info("stopped")
