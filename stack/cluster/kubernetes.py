"""Kubernetes manifests of the stack: plain dicts, one list per file, in the order to apply.

    00-namespace       the Namespace
    10-settings        ConfigMaps: the shared settings and each workload's own (no credential)
    20-secrets         Secrets: the database URL, the media account, one identity per workload
    30-migrate         the migration Job of this release (named after the newest revision)
    40-<workload>      per service and the gateway: Deployment, Service, PodDisruptionBudget

Services are found through etcd, not through Kubernetes: a service pod registers its pod IP
(`status.podIP`, downward API) and the gateway connects to it, verifying the certificate by the
service's name. The Services of gRPC workloads are headless (DNS and a selector for humans and
monitoring); only the gateway's balances traffic.

Health: the gRPC port is mutual TLS, which the kubelet's native `grpc` probe cannot speak; each
service also serves the health service alone, in plaintext, on `cluster.health_port`, and that
is what its probes ask. It says SERVING or NOT_SERVING and can call nothing else.
"""

from __future__ import annotations

import base64
import re
from typing import Any

from stack.cluster.plan import PKI_MOUNT, AppWorkload, ClusterPlan

Manifest = dict[str, Any]
PART_OF = "dytt"


def _labels(name: str, kind: str) -> dict[str, str]:
    return {"app.kubernetes.io/name": name, "app.kubernetes.io/part-of": PART_OF,
            "app.kubernetes.io/component": kind}


def _selector(name: str) -> dict[str, str]:
    return {"app.kubernetes.io/name": name, "app.kubernetes.io/part-of": PART_OF}


def _meta(plan: ClusterPlan, name: str, kind: str = "config") -> dict[str, Any]:
    return {"name": name, "namespace": plan.cluster.namespace, "labels": _labels(name, kind)}


def settings_name(workload: str | None = None) -> str:
    """The ConfigMap of the shared settings, or of one workload's own."""
    return f"dytt-{workload}-settings" if workload else "dytt-settings"


def secret_name(group: str) -> str:
    """The Secret of one group of credentials (`database`, `media`)."""
    return f"dytt-{group}"


def identity_secret_name(workload: str) -> str:
    """The Secret holding one workload's identity: certificate, key, CA, CRL, JWT key(s)."""
    return f"dytt-pki-{workload}"


def namespace(plan: ClusterPlan) -> Manifest:
    """The namespace everything else lives in."""
    return {"apiVersion": "v1", "kind": "Namespace",
            "metadata": {"name": plan.cluster.namespace, "labels": {"app.kubernetes.io/part-of":
                                                                    PART_OF}}}


def config_maps(plan: ClusterPlan) -> list[Manifest]:
    """The shared settings and each workload's own: endpoints, ports, callers, limits."""
    maps = [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": _meta(plan, settings_name()),
             "data": dict(sorted(plan.shared.items()))}]
    for w in plan.workloads:
        maps.append({"apiVersion": "v1", "kind": "ConfigMap",
                     "metadata": _meta(plan, settings_name(w.name)),
                     "data": dict(sorted(w.settings.items()))})
    return maps


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def secrets(plan: ClusterPlan) -> list[Manifest]:
    """The credential groups, then one `kubernetes.io/tls` Secret per identity."""
    docs: list[Manifest] = []
    for group, values in sorted(plan.secrets.items()):
        docs.append({"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
                     "metadata": _meta(plan, secret_name(group), "secret"),
                     "data": {k: _b64(v.encode()) for k, v in sorted(values.items())}})
    for w in plan.workloads:
        docs.append({"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/tls",
                     "metadata": _meta(plan, identity_secret_name(w.name), "identity"),
                     "data": {f.key: _b64(f.data) for f in w.pki}})
    return docs


def _resources(w: AppWorkload) -> dict[str, Any]:
    return {"requests": {"cpu": w.requests.cpu, "memory": w.requests.memory},
            "limits": {"cpu": w.limits.cpu, "memory": w.limits.memory}}


def _probe(w: AppWorkload, period: int, failures: int) -> dict[str, Any]:
    check: dict[str, Any]
    if w.health_port is not None:
        check = {"grpc": {"port": w.health_port}}
    else:
        check = {"httpGet": {"path": "/healthz", "port": "http"}}
    return {**check, "periodSeconds": period, "timeoutSeconds": 2, "failureThreshold": failures}


def _hardened() -> dict[str, Any]:
    return {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True,
            "capabilities": {"drop": ["ALL"]}}


def _pod_security(plan: ClusterPlan) -> dict[str, Any]:
    uid = plan.cluster.user_id
    # fsGroup: the identity's files (mode 0440) are readable by the image's user only
    return {"runAsNonRoot": True, "runAsUser": uid, "runAsGroup": uid, "fsGroup": uid,
            "seccompProfile": {"type": "RuntimeDefault"}}


def _tmp_volume() -> tuple[dict[str, Any], dict[str, Any]]:
    # a read-only root: uploads are spooled to /tmp, and PyAV writes its scratch files there
    return {"name": "tmp", "emptyDir": {}}, {"name": "tmp", "mountPath": "/tmp"}


def _pod_env(w: AppWorkload) -> list[dict[str, Any]]:
    return [
        # registered in etcd: what the gateway (another pod) connects to
        {"name": "DYTT_SVC_ADVERTISE_HOST",
         "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}},
        # the registry key, the logs' `instance`: the pod's name says which pod it is
        {"name": "DYTT_SVC_INSTANCE_ID",
         "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
    ]


def deployment(plan: ClusterPlan, w: AppWorkload) -> Manifest:
    """N replicas of one workload, rolled one new pod at a time, never one fewer."""
    ports = [{"name": "grpc" if w.kind == "service" else "http", "containerPort": w.port}]
    if w.health_port is not None:
        ports.append({"name": "health", "containerPort": w.health_port})
    env_from: list[dict[str, Any]] = [{"configMapRef": {"name": settings_name()}},
                                      {"configMapRef": {"name": settings_name(w.name)}}]
    env_from += [{"secretRef": {"name": secret_name(g)}} for g in w.secret_groups]
    tmp_volume, tmp_mount = _tmp_volume()
    container = {
        "name": w.name,
        "image": plan.cluster.image,
        "imagePullPolicy": "IfNotPresent",
        "command": w.command,
        "ports": ports,
        "envFrom": env_from,
        "env": _pod_env(w),
        # until the first SERVING; then readiness and liveness take over
        "startupProbe": _probe(w, period=2, failures=30),
        "readinessProbe": _probe(w, period=5, failures=2),
        "livenessProbe": _probe(w, period=10, failures=3),
        # the pod stays up while it leaves the Service's endpoints (and, for a service, while
        # the gateways' etcd watches follow); SIGTERM comes after, then the process drains
        "lifecycle": {"preStop": {"exec": {
            "command": ["sleep", str(plan.cluster.prestop_seconds)]}}},
        "resources": _resources(w),
        "securityContext": _hardened(),
        "volumeMounts": [{"name": "pki", "mountPath": PKI_MOUNT, "readOnly": True}, tmp_mount],
    }
    pki_volume = {"name": "pki", "secret": {
        "secretName": identity_secret_name(w.name), "defaultMode": 0o440,
        # the Secret's keys at the paths of a PKI store; a re-applied Secret (renewed
        # certificates) reaches the running pods, which load it at their next handshake
        "items": [{"key": f.key, "path": f.path} for f in w.pki],
    }}
    return {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {**_meta(plan, w.name, w.kind), "annotations": {"description": w.description}},
        "spec": {
            "replicas": w.replicas,
            "revisionHistoryLimit": 5,
            "selector": {"matchLabels": _selector(w.name)},
            "strategy": {"type": "RollingUpdate",
                         "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}},
            "template": {
                "metadata": {
                    "labels": _labels(w.name, w.kind),
                    # settings are read at start: a change of them rolls the pods
                    "annotations": {"dytt/settings-digest": plan.settings_digest(w)},
                },
                "spec": {
                    "automountServiceAccountToken": False,
                    "enableServiceLinks": False,
                    "terminationGracePeriodSeconds": w.stop_seconds + 5,
                    "securityContext": _pod_security(plan),
                    "containers": [container],
                    "volumes": [pki_volume, tmp_volume],
                },
            },
        },
    }


def service(plan: ClusterPlan, w: AppWorkload) -> Manifest:
    """The gateway's load-balanced Service; a headless one for a gRPC service."""
    if w.kind == "gateway":
        spec: dict[str, Any] = {"type": "ClusterIP", "selector": _selector(w.name), "ports": [
            {"name": "http", "port": plan.gateway_port, "targetPort": "http"}]}
    else:
        spec = {"clusterIP": "None", "selector": _selector(w.name), "ports": [
            {"name": "grpc", "port": w.port, "targetPort": "grpc"},
            {"name": "health", "port": w.health_port, "targetPort": "health"}]}
    return {"apiVersion": "v1", "kind": "Service", "metadata": _meta(plan, w.name, w.kind),
            "spec": spec}


def disruption_budget(plan: ClusterPlan, w: AppWorkload) -> Manifest:
    """A node drain evicts one pod of the workload at a time."""
    return {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
            "metadata": _meta(plan, w.name, w.kind),
            "spec": {"maxUnavailable": 1, "selector": {"matchLabels": _selector(w.name)}}}


def migration_job_name(plan: ClusterPlan) -> str:
    """One Job per schema revision: a Job's pod template cannot change once created."""
    revision = re.sub(r"[^a-z0-9-]+", "-", plan.migration_head.lower()).strip("-")
    return f"dytt-migrate-{revision}"[:63].rstrip("-")


def migration_job(plan: ClusterPlan) -> Manifest:
    """`alembic upgrade head` as the services' database user, once per release."""
    tmp_volume, tmp_mount = _tmp_volume()
    container = {
        "name": "migrate",
        "image": plan.cluster.image,
        "imagePullPolicy": "IfNotPresent",
        "command": plan.migrate_command,
        "envFrom": [{"secretRef": {"name": secret_name("database")}}],
        "resources": {"requests": {"cpu": plan.cluster.requests.cpu,
                                   "memory": plan.cluster.requests.memory},
                      "limits": {"cpu": plan.cluster.limits.cpu,
                                 "memory": plan.cluster.limits.memory}},
        "securityContext": _hardened(),
        "volumeMounts": [tmp_mount],
    }
    return {
        "apiVersion": "batch/v1", "kind": "Job",
        "metadata": _meta(plan, migration_job_name(plan), "migration"),
        "spec": {
            "backoffLimit": 6,
            "activeDeadlineSeconds": 900,
            "template": {
                "metadata": {"labels": _labels("dytt-migrate", "migration")},
                "spec": {
                    "restartPolicy": "OnFailure",
                    "automountServiceAccountToken": False,
                    "securityContext": _pod_security(plan),
                    "containers": [container],
                    "volumes": [tmp_volume],
                },
            },
        },
    }


def render(plan: ClusterPlan) -> dict[str, list[Manifest]]:
    """Every manifest, by the file it goes to (file names sort in the order to apply)."""
    files: dict[str, list[Manifest]] = {
        "00-namespace.yaml": [namespace(plan)],
        "10-settings.yaml": config_maps(plan),
        "20-secrets.yaml": secrets(plan),
        "30-migrate.yaml": [migration_job(plan)],
    }
    for w in plan.workloads:
        files[f"40-{w.name}.yaml"] = [deployment(plan, w), service(plan, w),
                                      disruption_budget(plan, w)]
    return files
