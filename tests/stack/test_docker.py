"""The docker provider's container specs and its failure when no engine answers."""

from __future__ import annotations

from pathlib import Path

import pytest

from stack.definition import load_definition
from stack.errors import ProviderUnavailable
from stack.providers.docker import DockerProvider, container_spec, engine
from stack.state import StackContext


@pytest.fixture
def ctx(tmp_path: Path) -> StackContext:
    definition = load_definition(None, {"DYTT_STACK__PROVIDER": "docker"})
    return StackContext(definition, tmp_path / "home")


def test_mysql_spec_maps_ports_volume_and_root_password(ctx: StackContext) -> None:
    spec = container_spec(ctx, ctx.definition.components["mysql"])
    assert spec["image"].startswith("mariadb:")
    assert spec["name"] == "dytt-home-mysql"
    assert spec["ports"] == {"3306/tcp": ("127.0.0.1", 13306)}
    assert spec["volumes"] == {"dytt-home-mysql-data": {"bind": "/var/lib/mysql", "mode": "rw"}}
    assert spec["environment"]["MARIADB_ROOT_PASSWORD"] == ctx.secrets()["mysql_root_password"]
    assert spec["labels"]["io.dytt.component"] == "mysql"
    assert spec["detach"] is True


def test_minio_spec_publishes_api_and_console_with_generated_credentials(
    ctx: StackContext,
) -> None:
    spec = container_spec(ctx, ctx.definition.components["minio"])
    assert spec["ports"] == {
        "9000/tcp": ("127.0.0.1", 19000),
        "9001/tcp": ("127.0.0.1", 19001),
    }
    secrets = ctx.secrets()
    assert spec["environment"] == {
        "MINIO_ROOT_USER": secrets["minio_root_user"],
        "MINIO_ROOT_PASSWORD": secrets["minio_root_password"],
    }
    assert spec["command"] == ["server", "/data", "--console-address=:9001"]


def test_etcd_and_zipkin_specs(ctx: StackContext) -> None:
    etcd = container_spec(ctx, ctx.definition.components["etcd"])
    assert "--advertise-client-urls=http://127.0.0.1:12379" in etcd["command"]
    assert etcd["ports"] == {"2379/tcp": ("127.0.0.1", 12379)}
    zipkin = container_spec(ctx, ctx.definition.components["zipkin"])
    assert zipkin["image"].startswith("openzipkin/zipkin")
    # the same span limit and heap as the native zipkin (see stack.toml)
    assert zipkin["environment"]["STORAGE_TYPE"] == "mem"
    native = ctx.definition.components["zipkin"].native
    assert native is not None
    assert zipkin["environment"]["MEM_MAX_SPANS"] == native.env["MEM_MAX_SPANS"]
    assert "-Xmx512m" in zipkin["environment"]["JAVA_OPTS"] and "-Xmx512m" in native.command
    assert "volumes" not in zipkin


def test_no_engine_is_one_clear_line(
    ctx: StackContext, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-engine.sock")
    with pytest.raises(ProviderUnavailable, match="no Docker engine answers") as info:
        engine()
    assert "\n" not in str(info.value)
    with pytest.raises(ProviderUnavailable):
        DockerProvider().inspect(ctx, ctx.definition.components["mysql"])
