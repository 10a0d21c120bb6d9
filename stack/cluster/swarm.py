"""A Docker swarm stack of dytt's services and gateway: a compose v3 file and its secret files.

Every credential and identity file is a swarm secret: a file mounted in the task, never an
environment variable (which `docker service inspect` shows). Settings that are secrets reach the
process as files in `/run/secrets` (`DYTT_SVC_SECRETS_DIR`); an identity's files land at the
paths of a PKI store under `PKI_MOUNT`. Swarm secrets cannot change: each is named after a
digest of its content, so a renewed certificate is a new secret and a rolling update.

A task registers its address on the stack's overlay network (the one address of the task in
`cluster.swarm_subnet`), which every gateway task reaches. Health checks are commands in the
container (`python -m services.mesh.probe`): a service's plaintext health-only port, the
gateway's `/healthz`. A task counts as running only once healthy, so a rolling update
(`order: start-first`: the new task first, then the old one stops) never lowers the capacity,
and the routing mesh sends the gateway's clients to a task only when it answers. On a stop,
swarm takes the task out of the routing mesh, waits 2 s, then sends SIGTERM: that is the
"preStop" here, longer than the services' 1 s deregister linger.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from stack.cluster.plan import PKI_MOUNT, AppWorkload, ClusterPlan

SECRETS_DIR = "/run/secrets"
NETWORK = "dytt"
HOST_NETWORK = "hostnet"
COMPOSE_FILE = "docker-stack.yml"
MIGRATE = "migrate"
SHARED_PKI = frozenset({"ca.crt", "ca.crl", "jwt-public.pem"})


@dataclass(frozen=True)
class SwarmBundle:
    """The compose document, and the secret files it names (path relative to it -> bytes)."""

    compose: dict[str, Any]
    files: dict[str, bytes]


def cpus(quantity: str) -> str:
    """A Kubernetes CPU quantity ("250m", "1") as compose's `cpus` ("0.25", "1")."""
    if quantity.endswith("m"):
        return f"{int(quantity[:-1]) / 1000:g}"
    return f"{float(quantity):g}"


_MEMORY = re.compile(r"(\d+)(Ki|Mi|Gi|K|M|G)?")


def memory(quantity: str) -> str:
    """A Kubernetes memory quantity ("512Mi") as compose's byte size ("512M", binary too)."""
    match = _MEMORY.fullmatch(quantity)
    if match is None:
        raise ValueError(f"unsupported memory quantity {quantity!r} (use Ki, Mi or Gi)")
    number, unit = match.groups()
    # compose's k/m/g are powers of 1024; decimal suffixes are refused rather than rounded
    if unit in {"K", "M", "G"}:
        raise ValueError(f"memory {quantity!r}: use {unit}i (binary), as compose does")
    return number + {"Ki": "k", "Mi": "m", "Gi": "g", None: "b"}[unit]


class _Secrets:
    """The stack's swarm secrets, each named after its content."""

    def __init__(self, stack: str) -> None:
        self.stack = stack
        self.definitions: dict[str, dict[str, str]] = {}
        self.files: dict[str, bytes] = {}

    def add(self, key: str, data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()[:12]
        path = f"secrets/{key}"
        self.files[path] = data
        self.definitions[key] = {"file": path, "name": f"{self.stack}-{key}-{digest}"}
        return key


def _resources(w: AppWorkload) -> dict[str, Any]:
    return {"limits": {"cpus": cpus(w.limits.cpu), "memory": memory(w.limits.memory)},
            "reservations": {"cpus": cpus(w.requests.cpu), "memory": memory(w.requests.memory)}}


def _ref(plan: ClusterPlan, key: str, target: str, mode: int) -> dict[str, Any]:
    # owned by the image's user: the processes do not run as root
    uid = str(plan.cluster.user_id)
    return {"source": key, "target": target, "uid": uid, "gid": uid, "mode": mode}


def _secret_refs(plan: ClusterPlan, w: AppWorkload, store: _Secrets) -> list[dict[str, Any]]:
    refs = []
    for group in w.secret_groups:
        for variable, value in sorted(plan.secrets[group].items()):
            key = store.add(variable.lower(), value.encode())
            refs.append(_ref(plan, key, variable, 0o400))
    for f in w.pki:
        # the CA, its CRL and the token verification key are the same for every workload
        name = f.key if f.key in SHARED_PKI else f"{w.name}-{f.key}"
        key = store.add(name.replace(".", "-"), f.data)
        private = f.key.endswith(".key") or f.key == "jwt-private.pem"
        refs.append(_ref(plan, key, f"{PKI_MOUNT}/{f.path}", 0o400 if private else 0o444))
    return refs


def _service(plan: ClusterPlan, w: AppWorkload, store: _Secrets) -> dict[str, Any]:
    environment = {
        **plan.shared, **w.settings,
        # the task's address on the overlay network is what the gateway tasks reach
        "DYTT_SVC_ADVERTISE_HOST": plan.cluster.swarm_advertise or plan.cluster.swarm_subnet,
        "DYTT_SVC_INSTANCE_ID": "{{.Task.Name}}",
        "DYTT_SVC_SECRETS_DIR": SECRETS_DIR,
    }
    service: dict[str, Any] = {
        "image": plan.cluster.image,
        "command": w.command,
        "environment": dict(sorted(environment.items())),
        "secrets": _secret_refs(plan, w, store),
        "networks": [NETWORK],
        "healthcheck": {
            "test": ["CMD", plan.cluster.python, "-m", "services.mesh.probe", w.probe_url],
            # each check is a Python process (~0.2 s of CPU for gRPC's import): not too often
            "interval": "10s", "timeout": "5s", "retries": 3, "start_period": "60s",
        },
        "stop_signal": "SIGTERM",
        # the engine kills what is still running after this: the whole drain must fit
        "stop_grace_period": f"{w.stop_seconds}s",
        "deploy": {
            "mode": "replicated",
            "replicas": w.replicas,
            "update_config": {"parallelism": 1, "delay": "2s", "order": "start-first",
                              "failure_action": "rollback", "monitor": "10s"},
            "rollback_config": {"parallelism": 1, "order": "start-first"},
            "restart_policy": {"condition": "any", "delay": "2s", "window": "30s"},
            "resources": _resources(w),
            "labels": {"io.dytt.component": w.name, "io.dytt.kind": w.kind},
        },
    }
    if w.kind == "gateway" and plan.cluster.swarm_publish == "host-network":
        service["networks"] = [HOST_NETWORK]
        service["environment"]["DYTT_SVC_PORT"] = str(plan.gateway_port)
        service["healthcheck"]["test"][-1] = f"http://127.0.0.1:{plan.gateway_port}/healthz"
    elif w.kind == "gateway":
        service["ports"] = [{"target": w.port, "published": plan.gateway_port,
                             "protocol": "tcp", "mode": "ingress"}]
    return service


def _migrate(plan: ClusterPlan, store: _Secrets) -> dict[str, Any]:
    refs = [_ref(plan, store.add(v.lower(), value.encode()), v, 0o400)
            for v, value in sorted(plan.secrets.get("database", {}).items())]
    return {
        "image": plan.cluster.image,
        "command": plan.migrate_command,
        "environment": {"DYTT_SVC_SECRETS_DIR": SECRETS_DIR, "PYTHONUNBUFFERED": "1"},
        "secrets": refs,
        "networks": [NETWORK],
        "deploy": {
            "mode": "replicated", "replicas": 1,
            # a one-shot task: done once it exits 0, retried while the database is not there
            "restart_policy": {"condition": "on-failure", "delay": "5s", "max_attempts": 10},
            "labels": {"io.dytt.component": MIGRATE, "io.dytt.kind": "migration",
                       "io.dytt.revision": plan.migration_head},
        },
    }


def render(plan: ClusterPlan) -> SwarmBundle:
    """The stack: the migration task, every service and the gateway, on one overlay network."""
    store = _Secrets(plan.cluster.namespace)
    services = {MIGRATE: _migrate(plan, store)}
    for w in plan.workloads:
        services[w.name] = _service(plan, w, store)
    networks: dict[str, Any] = {NETWORK: {
        "driver": "overlay", "attachable": True,
        "ipam": {"config": [{"subnet": plan.cluster.swarm_subnet}]}}}
    if plan.cluster.swarm_publish == "host-network":
        networks[HOST_NETWORK] = {"external": True, "name": "host"}
    compose = {
        "version": "3.8",
        "services": services,
        "networks": networks,
        "secrets": dict(sorted(store.definitions.items())),
    }
    return SwarmBundle(compose, store.files)
