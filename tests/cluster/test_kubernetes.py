"""The Kubernetes manifests: valid against the API's schemas, and safe to roll and to drain."""

from __future__ import annotations

import base64
import re
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from stack.cluster import kubernetes
from stack.cluster.output import write_kubernetes
from stack.cluster.plan import ClusterPlan

# the oldest release we target (native grpc probes are GA since 1.27) and the newest the
# validator ships schemas for
K8S_VERSIONS = ("1.30.0", kubernetes_validate.utils.latest_version())
DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")


@pytest.fixture(scope="module")
def manifests(plan: ClusterPlan) -> list[dict[str, Any]]:
    return [doc for docs in kubernetes.render(plan).values() for doc in docs]


def of_kind(manifests: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [m for m in manifests if m["kind"] == kind]


@pytest.mark.parametrize("version", K8S_VERSIONS)
def test_every_manifest_is_valid_for_the_api(manifests: list[dict[str, Any]],
                                             version: str) -> None:
    for manifest in manifests:
        # strict: a misspelt or misplaced field is an error, not silently dropped
        kubernetes_validate.validate(manifest, version, strict=True)
        name = manifest["metadata"]["name"]
        assert len(name) <= 63 and DNS_LABEL.fullmatch(name), name
    assert len(manifests) == 1 + 9 + 10 + 1 + 8 * 3


def test_the_written_files_are_the_same_manifests(plan: ClusterPlan, tmp_path: Path,
                                                  manifests: list[dict[str, Any]]) -> None:
    files = write_kubernetes(plan, tmp_path / "k8s")
    loaded = [doc for f in files for doc in yaml.safe_load_all(f.read_text())]
    assert loaded == manifests
    secrets_file = tmp_path / "k8s" / "20-secrets.yaml"
    assert secrets_file.stat().st_mode & 0o077 == 0


def _container(deployment: dict[str, Any]) -> dict[str, Any]:
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    return container


def test_deployments_probe_roll_and_drain(plan: ClusterPlan,
                                          manifests: list[dict[str, Any]]) -> None:
    deployments = of_kind(manifests, "Deployment")
    assert {d["metadata"]["name"] for d in deployments} == {w.name for w in plan.workloads}
    budgets = {p["metadata"]["name"]: p for p in of_kind(manifests, "PodDisruptionBudget")}
    for d in deployments:
        name, spec = d["metadata"]["name"], d["spec"]
        container = _container(d)
        for probe in ("readinessProbe", "livenessProbe"):
            assert probe in container, (name, probe)
        if name != "gateway":
            # the kubelet's grpc probe cannot do mTLS: it asks the plaintext health-only port
            assert container["readinessProbe"]["grpc"]["port"] == plan.cluster.health_port
            assert container["livenessProbe"]["grpc"]["port"] == plan.cluster.health_port
        assert container["resources"]["requests"]["cpu"]
        assert container["resources"]["requests"]["memory"]
        assert container["resources"]["limits"]["memory"]
        assert spec["strategy"]["type"] == "RollingUpdate"
        assert spec["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
        pre_stop = container["lifecycle"]["preStop"]["exec"]["command"]
        assert pre_stop[0] == "sleep" and int(pre_stop[1]) >= 1  # >= the deregister linger
        grace = spec["template"]["spec"]["terminationGracePeriodSeconds"]
        # the pause, then the process's own drain (deregister, linger, in-flight RPCs)
        assert grace >= int(pre_stop[1]) + 15
        assert budgets[name]["spec"]["selector"]["matchLabels"] == spec["selector"]["matchLabels"]
        env = {e["name"]: e for e in container["env"]}
        assert env["DYTT_SVC_ADVERTISE_HOST"]["valueFrom"]["fieldRef"]["fieldPath"] == \
            "status.podIP"


def _secret_strings(manifests: list[dict[str, Any]]) -> set[str]:
    values = set()
    for secret in of_kind(manifests, "Secret"):
        for key, value in secret["data"].items():
            if secret["type"] == "Opaque" or key.endswith(".key") or "private" in key:
                values.add(base64.b64decode(value).decode())
    return values


def test_no_secret_value_is_in_a_config_map(plan: ClusterPlan,
                                            manifests: list[dict[str, Any]]) -> None:
    secrets = _secret_strings(manifests) | plan.secret_values()
    assert len(secrets) >= 4
    for config_map in of_kind(manifests, "ConfigMap"):
        for key, value in config_map["data"].items():
            for secret in secrets:
                assert secret not in value, (config_map["metadata"]["name"], key)
            assert "PASSWORD" not in key and "SECRET" not in key and "DATABASE_URL" not in key
    # nor anywhere in plain sight in a pod template
    for d in of_kind(manifests, "Deployment") + of_kind(manifests, "Job"):
        text = repr(d)
        assert not [s for s in secrets if s in text], d["metadata"]["name"]


def test_a_secret_per_identity_with_its_certificate_key_and_ca(
        plan: ClusterPlan, manifests: list[dict[str, Any]]) -> None:
    secrets = {s["metadata"]["name"]: s for s in of_kind(manifests, "Secret")}
    for w in plan.workloads:
        secret = secrets[kubernetes.identity_secret_name(w.name)]
        assert secret["type"] == "kubernetes.io/tls"
        assert {"tls.crt", "tls.key", "ca.crt"} <= set(secret["data"])
        cert = base64.b64decode(secret["data"]["tls.crt"])
        assert cert.startswith(b"-----BEGIN CERTIFICATE-----")
        volume = next(v for v in manifests_of(manifests, w.name)["spec"]["template"]["spec"]
                      ["volumes"] if v["name"] == "pki")
        assert volume["secret"]["secretName"] == secret["metadata"]["name"]


def manifests_of(manifests: list[dict[str, Any]], name: str) -> dict[str, Any]:
    return next(d for d in of_kind(manifests, "Deployment") if d["metadata"]["name"] == name)


def test_the_migration_job_upgrades_with_the_database_secret(
        plan: ClusterPlan, manifests: list[dict[str, Any]]) -> None:
    (job,) = of_kind(manifests, "Job")
    assert job["metadata"]["name"] == kubernetes.migration_job_name(plan)
    container = _container(job)
    assert container["command"][-2:] == ["-m", "services.data.migrate"]
    assert container["envFrom"] == [{"secretRef": {"name": "dytt-database"}}]
