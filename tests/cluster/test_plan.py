"""The plan both renderers share: settings split from credentials, identities, endpoints."""

from __future__ import annotations

from pathlib import Path

import pytest

from stack.cluster.plan import SECRET_GROUPS, ClusterPlan, build_plan
from stack.cluster.swarm import cpus, memory
from stack.definition import load_definition
from stack.errors import DefinitionError
from stack.state import StackContext
from tests.cluster.conftest import INFRA_HOST


def test_every_service_and_the_gateway_is_a_workload(plan: ClusterPlan) -> None:
    names = {w.name for w in plan.workloads}
    assert names == {"user", "feed", "publish", "favorite", "comment", "relation", "message",
                     "gateway"}
    assert all(w.replicas == 2 for w in plan.workloads)
    gateway = next(w for w in plan.workloads if w.name == "gateway")
    assert gateway.health_port is None and gateway.probe_url.endswith("/healthz")
    assert {w.health_port for w in plan.workloads if w.kind == "service"} == {9090}


def test_credentials_are_only_in_secret_groups(plan: ClusterPlan) -> None:
    secret_names = {k for keys in SECRET_GROUPS.values() for k in keys}
    for w in plan.workloads:
        assert not secret_names & set(w.settings), w.name
    assert not secret_names & set(plan.shared)
    assert set(plan.secrets) == {"database", "media"}
    by_name = {w.name: w for w in plan.workloads}
    assert by_name["publish"].secret_groups == ("database", "media")
    assert by_name["feed"].secret_groups == ("database",)
    assert by_name["gateway"].secret_groups == ()


def test_infrastructure_is_reached_where_the_definition_says(plan: ClusterPlan) -> None:
    assert plan.shared["DYTT_SVC_ETCD"] == f"{INFRA_HOST}:12379"
    assert plan.shared["DYTT_SVC_ZIPKIN_URL"].startswith(f"http://{INFRA_HOST}:19411/")
    assert f"@{INFRA_HOST}:13306/" in plan.secrets["database"]["DYTT_SVC_DATABASE_URL"]
    # native paths of this machine mean nothing in a pod
    assert "DYTT_SVC_LOG_DIR" not in {k for w in plan.workloads for k in w.settings}


def test_only_the_user_service_gets_the_token_signing_key(plan: ClusterPlan) -> None:
    for w in plan.workloads:
        keys = {f.key for f in w.pki}
        assert {"ca.crt", "tls.crt", "tls.key", "jwt-public.pem"} <= keys
        assert ("jwt-private.pem" in keys) == (w.name == "user")


def test_a_loopback_infrastructure_address_is_refused(tmp_path: Path) -> None:
    definition = load_definition(Path("/nonexistent"), {})
    with pytest.raises(DefinitionError, match="DYTT_MYSQL__HOST"):
        build_plan(StackContext(definition, tmp_path))


def test_cluster_settings_come_from_the_environment(tmp_path: Path) -> None:
    definition = load_definition(Path("/nonexistent"), {
        "DYTT_STACK__HOST": INFRA_HOST, "DYTT_CLUSTER__REPLICAS": "3",
        "DYTT_CLUSTER__IMAGE": "registry.example/dytt/app:1.2",
    })
    plan = build_plan(StackContext(definition, tmp_path))
    assert {w.replicas for w in plan.workloads} == {3}
    assert plan.cluster.image == "registry.example/dytt/app:1.2"


def test_quantities_convert_to_compose_units() -> None:
    assert cpus("50m") == "0.05" and cpus("1") == "1" and cpus("1.5") == "1.5"
    assert memory("512Mi") == "512m" and memory("1Gi") == "1g" and memory("64Ki") == "64k"
    with pytest.raises(ValueError, match="Mi"):
        memory("512M")
