"""What both cluster renderers share: dytt's workloads, their settings, secrets and PKI files.

The settings are the ones `dyttctl up` gives a native process (`stack.wiring.service_env`), with
what a cluster changes: listen on every interface, advertise the pod's (task's) own address,
read the PKI from a mounted directory, log to stderr for the engine to collect. Settings that
hold a credential are split off into secret groups, each given only to the workloads that need
it: the database URL to the services on MariaDB, the media account to publish.
"""

from __future__ import annotations

import hashlib
import ipaddress
import socket
from dataclasses import dataclass, field

from stack import credentials
from stack.cluster.settings import ClusterSettings, Resources
from stack.definition import Component
from stack.errors import DefinitionError
from stack.state import StackContext
from stack.wiring import SERVICE_KINDS, service_env

# where a pod or task finds its identity's files, laid out like a PKI store
PKI_MOUNT = "/etc/dytt/pki"
INFRA = ("mysql", "etcd", "minio", "zipkin")

# settings that carry a credential, by the secret group that holds them
SECRET_GROUPS = {
    "database": ("DYTT_SVC_DATABASE_URL",),
    "media": ("DYTT_SVC_S3_ACCESS_KEY", "DYTT_SVC_S3_SECRET_KEY"),
}
# settings a cluster sets itself, or that mean nothing there (native paths)
_DROPPED = ("DYTT_SVC_LOG_DIR", "DYTT_SVC_PKI_DIR", "DYTT_SVC_HOST", "DYTT_SVC_ADVERTISE_HOST")
# settings every workload shares (the rest are a workload's own)
_SHARED = (
    "DYTT_SVC_ETCD", "DYTT_SVC_ZIPKIN_URL", "DYTT_SVC_MEDIA_BASE_URL",
    "DYTT_SVC_MAX_UPLOAD_BYTES", "PYTHONUNBUFFERED",
)


@dataclass(frozen=True)
class PkiFile:
    """One file of an identity's PKI mount: its key in a Secret and its path in the store."""

    key: str
    path: str
    data: bytes


@dataclass(frozen=True)
class AppWorkload:
    """One of dytt's processes as a cluster runs it: N replicas of one command."""

    name: str
    kind: str
    description: str
    command: list[str]
    port: int
    # the plaintext health-only port of a service; the gateway is probed over HTTP instead
    health_port: int | None
    replicas: int
    requests: Resources
    limits: Resources
    # the process's own (non-secret) settings; shared ones are in `ClusterPlan.shared`
    settings: dict[str, str]
    secret_groups: tuple[str, ...]
    pki: tuple[PkiFile, ...]
    # what a stop may take: the preStop pause, then the process's own drain
    stop_seconds: int

    @property
    def probe_url(self) -> str:
        """What its health check asks, from inside its container."""
        if self.health_port is not None:
            return f"grpc://127.0.0.1:{self.health_port}"
        return f"http://127.0.0.1:{self.port}/healthz"


@dataclass(frozen=True)
class ClusterPlan:
    """Everything a renderer needs, independent of the engine."""

    cluster: ClusterSettings
    shared: dict[str, str]
    secrets: dict[str, dict[str, str]]
    workloads: list[AppWorkload]
    migrate_command: list[str]
    migration_head: str
    gateway_port: int
    endpoints: dict[str, str] = field(default_factory=dict)

    def secret_values(self) -> set[str]:
        """Every credential of the plan (for checks that none leaks into plain settings)."""
        values = {v for group in self.secrets.values() for v in group.values()}
        values |= {f.data.decode() for w in self.workloads for f in w.pki
                   if f.key.endswith(".key") or f.key == "jwt-private.pem"}
        return values

    def settings_digest(self, workload: AppWorkload) -> str:
        """A digest of what a workload reads at start only: a change must restart it."""
        text = repr(sorted(self.shared.items())) + repr(sorted(workload.settings.items()))
        text += repr([sorted(self.secrets[g].items()) for g in workload.secret_groups])
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_endpoints(ctx: StackContext) -> dict[str, str]:
    """The infrastructure's addresses; a loopback one is refused: in a pod it is the pod."""
    endpoints = {}
    for name in INFRA:
        comp = ctx.definition.components[name]
        host = ctx.host(comp)
        if _is_loopback(host):
            raise DefinitionError(
                f"cluster: {name} is at {host}, which in a pod or task is the pod itself; set "
                f"DYTT_{name.upper()}__HOST (or stack.host) to an address the cluster reaches"
            )
        endpoints[name] = f"{host}:{comp.port}"
    return endpoints


def _pki_files(ctx: StackContext, comp: Component) -> tuple[PkiFile, ...]:
    paths = credentials.tls_paths(ctx, comp.name)
    files = [
        PkiFile("ca.crt", "ca.crt", paths.ca.read_bytes()),
        PkiFile("tls.crt", f"certs/{comp.name}.crt", paths.cert.read_bytes()),
        PkiFile("tls.key", f"certs/{comp.name}.key", paths.key.read_bytes()),
        PkiFile("jwt-public.pem", "jwt/public.pem", paths.jwt_public.read_bytes()),
    ]
    if paths.crl.exists():
        files.append(PkiFile("ca.crl", "ca.crl", paths.crl.read_bytes()))
    if comp.name == "user":
        # the only process that signs tokens
        files.append(PkiFile("jwt-private.pem", "jwt/private.pem",
                             paths.jwt_private.read_bytes()))
    return tuple(files)


def _module(comp: Component) -> str:
    return "gateway" if comp.kind == "gateway" else f"services.{comp.name}"


def _workload(ctx: StackContext, comp: Component, shared: dict[str, str],
              secrets: dict[str, dict[str, str]]) -> AppWorkload:
    cluster = ctx.definition.cluster
    # wired as a process outside any local container network: the infrastructure at the
    # hosts and ports of the definition, as the cluster reaches it
    env = service_env(ctx, comp.model_copy(update={"provider": "external"}))
    groups = tuple(g for g, keys in SECRET_GROUPS.items() if any(k in env for k in keys))
    for group in groups:
        secrets.setdefault(group, {}).update({k: env[k] for k in SECRET_GROUPS[group]})
    secret_keys = {k for keys in SECRET_GROUPS.values() for k in keys}
    own = {k: v for k, v in env.items()
           if k not in secret_keys and k not in _DROPPED and k not in _SHARED}
    shared.update({k: env[k] for k in _SHARED if k in env})
    health_port = cluster.health_port if comp.kind == "service" else None
    if health_port is not None:
        own["DYTT_SVC_HEALTH_PORT"] = str(health_port)
    overrides = cluster.workloads.get(comp.name)
    return AppWorkload(
        name=comp.name, kind=comp.kind, description=comp.description,
        command=[cluster.python, "-m", _module(comp)],
        port=comp.port, health_port=health_port,
        replicas=(overrides and overrides.replicas) or cluster.replicas,
        requests=(overrides and overrides.requests) or cluster.requests,
        limits=(overrides and overrides.limits) or cluster.limits,
        settings=own, secret_groups=groups, pki=_pki_files(ctx, comp),
        stop_seconds=cluster.prestop_seconds + int(comp.stop_timeout),
    )


def migration_head() -> str:
    """The newest Alembic revision: the migration job of a release is named after it."""
    from alembic.script import ScriptDirectory

    from services.data.migrate import MIGRATIONS

    return ScriptDirectory(str(MIGRATIONS)).get_current_head() or "base"


def build_plan(ctx: StackContext) -> ClusterPlan:
    """The cluster plan of the stack in `ctx`; issues whatever PKI material is missing."""
    endpoints = _check_endpoints(ctx)
    credentials.ensure(ctx)
    shared: dict[str, str] = {}
    secrets: dict[str, dict[str, str]] = {}
    workloads = [_workload(ctx, comp, shared, secrets)
                 for comp in ctx.definition.select(None) if comp.kind in SERVICE_KINDS]
    cluster = ctx.definition.cluster
    shared |= {
        # every interface of the pod or task: its address is its own
        "DYTT_SVC_HOST": "0.0.0.0",
        "DYTT_SVC_PKI_DIR": PKI_MOUNT,
    }
    gateway = ctx.definition.components["gateway"]
    return ClusterPlan(
        cluster=cluster, shared=shared, secrets=secrets, workloads=workloads,
        migrate_command=[cluster.python, "-m", "services.data.migrate"],
        migration_head=migration_head(),
        gateway_port=cluster.gateway_port or gateway.port,
        endpoints=endpoints,
    )


def host_address() -> str:
    """This machine's address on its default route (what a container reaches it at)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            # a UDP connect sends nothing: it only picks the route and its source address
            sock.connect(("203.0.113.1", 9))
            return str(sock.getsockname()[0])
        except OSError:
            return socket.gethostbyname(socket.gethostname())
