"""The docker provider's container specs, the image choice and the builder's inputs, without an
engine (a small fake stands in for it); and its failure when no engine answers."""

from __future__ import annotations

from pathlib import Path

import pytest

from stack import install
from stack.definition import load_definition
from stack.errors import ProviderUnavailable, StartFailed
from stack.images import choice, debian
from stack.images.builder import content_hash
from stack.images.catalog import recipe_for
from stack.providers.docker import (
    DockerProvider,
    container_name,
    container_spec,
    engine,
    network_name,
    volume_name,
)
from stack.readiness import registry_address
from stack.state import StackContext
from stack.wiring import service_env


@pytest.fixture
def ctx(tmp_path: Path) -> StackContext:
    definition = load_definition(None, {"DYTT_STACK__PROVIDER": "docker"})
    return StackContext(definition, tmp_path / "home")


def test_names_carry_the_state_dirs_name_and_path(ctx: StackContext, tmp_path: Path) -> None:
    mysql = ctx.definition.components["mysql"]
    name = container_name(ctx, mysql)
    assert name.startswith("dytt-home-") and name.endswith("-mysql")
    # another state dir of the same name never shares a container, network or volume
    other = StackContext(ctx.definition, tmp_path / "elsewhere" / "home")
    assert container_name(other, mysql) != name
    assert network_name(other) != network_name(ctx)
    assert volume_name(other, mysql) != volume_name(ctx, mysql)
    scaled = ctx.definition.components["feed"].as_instance("2", 15099)
    assert container_name(ctx, scaled).endswith("-feed-2")


def test_mysql_spec_maps_ports_volume_network_and_root_password(ctx: StackContext) -> None:
    mysql = ctx.definition.components["mysql"]
    spec = container_spec(ctx, mysql)
    assert spec["image"].startswith("mariadb:")
    assert spec["ports"] == {"3306/tcp": ("127.0.0.1", 13306)}
    assert spec["volumes"] == {volume_name(ctx, mysql): {"bind": "/var/lib/mysql", "mode": "rw"}}
    assert spec["environment"]["MARIADB_ROOT_PASSWORD"] == ctx.secrets()["mysql_root_password"]
    assert spec["labels"]["io.dytt.component"] == "mysql"
    assert spec["network"] == network_name(ctx)
    assert spec["networking_config"] == {network_name(ctx): {"Aliases": ["mysql"]}}
    assert spec["command"][0] == "mariadbd" and "--character-set-server=utf8mb4" in spec["command"]
    assert spec["detach"] is True
    assert "user" not in spec  # the server's image decides


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
    assert "--listen-client-urls=http://0.0.0.0:2379" in etcd["command"]
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


def test_a_service_reaches_its_peers_by_name_on_the_network(ctx: StackContext) -> None:
    publish = ctx.definition.components["publish"]
    spec = container_spec(ctx, publish, "dytt/app:latest")
    env = spec["environment"]
    assert spec["image"] == "dytt/app:latest"
    assert spec["command"] == ["python", "-m", "services.publish"]
    # listens on its container's interfaces, registers its name (which its certificate holds)
    assert env["DYTT_SVC_HOST"] == "0.0.0.0"
    assert env["DYTT_SVC_ADVERTISE_HOST"] == "publish"
    assert env["DYTT_SVC_ETCD"] == "etcd:2379"
    assert "@mysql:3306/dytt" in env["DYTT_SVC_DATABASE_URL"]
    assert env["DYTT_SVC_S3_ENDPOINT"] == "minio:9000"
    assert env["DYTT_SVC_ZIPKIN_URL"] == "http://zipkin:9411/api/v2/spans"
    # clients outside fetch media where MinIO is published
    assert env["DYTT_SVC_MEDIA_BASE_URL"] == "http://127.0.0.1:19000/dytt-media"
    assert env["DYTT_SVC_HEALTH_URL"] == f"grpc://127.0.0.1:{env['DYTT_SVC_HEALTH_PORT']}"
    assert spec["ports"] == {"15003/tcp": ("127.0.0.1", 15003)}
    pki = str(ctx.home / "pki")
    assert spec["volumes"][pki] == {"bind": pki, "mode": "ro"}
    assert spec["volumes"][str(ctx.log_dir)]["mode"] == "rw"
    assert spec["cap_drop"] == ["ALL"] and spec["init"] is True
    assert registry_address(ctx, publish) == "publish:15003"


def test_the_gateway_is_published_and_checked_over_http(ctx: StackContext) -> None:
    gateway = ctx.definition.components["gateway"]
    spec = container_spec(ctx, gateway, "dytt/app:latest")
    assert spec["ports"] == {"18080/tcp": ("127.0.0.1", 18080)}
    assert spec["environment"]["DYTT_SVC_HEALTH_URL"] == "http://127.0.0.1:18080/healthz"
    assert spec["environment"]["DYTT_SVC_ADVERTISE_HOST"] == "gateway"


def test_native_wiring_is_unchanged(tmp_path: Path) -> None:
    ctx = StackContext(load_definition(None, {}), tmp_path / "home")
    user = ctx.definition.components["user"]
    env = service_env(ctx, user)
    assert env["DYTT_SVC_HOST"] == "127.0.0.1" and "DYTT_SVC_ADVERTISE_HOST" not in env
    assert env["DYTT_SVC_ETCD"] == "127.0.0.1:12379"
    assert env["DYTT_SVC_ZIPKIN_URL"] == "http://127.0.0.1:19411/api/v2/spans"
    assert registry_address(ctx, user) == "127.0.0.1:15001"


class FakeImages:
    """The engine's image store, as far as the choice asks it."""

    def __init__(self, present: set[str], pullable: set[str] = frozenset()) -> None:
        self.present = set(present)
        self.pullable = pullable
        self.pulled: list[str] = []

    def get(self, tag: str) -> object:
        from docker.errors import ImageNotFound

        if tag not in self.present:
            raise ImageNotFound(f"no such image: {tag}")
        return object()

    def pull(self, tag: str) -> None:
        from docker.errors import APIError

        self.pulled.append(tag)
        if tag not in self.pullable:
            raise APIError("lookup registry-1.docker.io: no such host")
        self.present.add(tag)


class FakeEngine:
    def __init__(self, images: FakeImages) -> None:
        self.images = images


def _with_images(ctx: StackContext, mode: str) -> StackContext:
    return StackContext(load_definition(None, {"DYTT_STACK__PROVIDER": "docker",
                                               "DYTT_STACK__IMAGES": mode}), ctx.home)


def test_auto_prefers_an_official_image_that_is_here(ctx: StackContext) -> None:
    mysql = ctx.definition.components["mysql"]
    client = FakeEngine(FakeImages({"mariadb:11.4", "dytt/mariadb:bookworm"}))
    assert choice.pick(ctx, mysql, client) == "mariadb:11.4"  # type: ignore[arg-type]


def test_auto_takes_the_local_stand_in_when_no_registry_answers(ctx: StackContext) -> None:
    mysql = ctx.definition.components["mysql"]
    images = FakeImages({"dytt/mariadb:bookworm"})
    assert choice.pick(ctx, mysql, FakeEngine(images)) == "dytt/mariadb:bookworm"  # type: ignore[arg-type]
    assert images.pulled == []  # a local image that is here: no pull attempted
    nothing = FakeImages(set())
    with pytest.raises(StartFailed, match="dyttctl images build"):
        choice.pick(ctx, mysql, FakeEngine(nothing))  # type: ignore[arg-type]
    assert nothing.pulled == ["mariadb:11.4"]


def test_official_and_local_modes(ctx: StackContext) -> None:
    mysql = ctx.definition.components["mysql"]
    both = FakeImages({"mariadb:11.4", "dytt/mariadb:bookworm"})
    assert choice.pick(_with_images(ctx, "local"), mysql, FakeEngine(both)) \
        == "dytt/mariadb:bookworm"  # type: ignore[arg-type]
    local_only = FakeImages({"dytt/mariadb:bookworm"}, pullable={"mariadb:11.4"})
    assert choice.pick(_with_images(ctx, "official"), mysql, FakeEngine(local_only)) \
        == "mariadb:11.4"  # type: ignore[arg-type]
    # dytt's processes have only the app image
    user = ctx.definition.components["user"]
    assert choice.candidates(ctx, user) == (None, "dytt/app:latest")


def test_apt_sources_of_the_release_from_both_formats(tmp_path: Path) -> None:
    (tmp_path / "debian.sources").write_text(
        "Types: deb\n# a comment\nURIs: http://mirror.example/debian\n"
        "Suites: bookworm bookworm-updates\nComponents: main\n\n"
        "Types: deb\nURIs: https://elsewhere.example/apt\nSuites: nodistro\nComponents: main\n")
    (tmp_path / "security.list").write_text(
        "deb [signed-by=/k.gpg] http://mirror.example/debian-security bookworm-security main\n")
    sources = debian.apt_sources((tmp_path,))
    assert [s.line() for s in sources] == [
        "deb http://mirror.example/debian bookworm main",
        "deb http://mirror.example/debian bookworm-updates main",
        "deb http://mirror.example/debian-security bookworm-security main",
    ]
    assert debian.apt_sources((tmp_path / "none",))[0].uri == debian.FALLBACK_MIRROR


def test_content_hash_follows_every_input(tmp_path: Path) -> None:
    recipe = recipe_for("dytt/etcd:bookworm")
    script = tmp_path / "entry.sh"
    script.write_text("echo one\n")
    first = content_hash(recipe, {"entry.sh": script}, "sha256:base")
    assert first == content_hash(recipe, {"entry.sh": script}, "sha256:base")
    assert first != content_hash(recipe, {"entry.sh": script}, "sha256:newer-base")
    script.write_text("echo two\n")
    assert first != content_hash(recipe, {"entry.sh": script}, "sha256:base")


def test_install_needs_the_engine_only_when_asked_or_used(tmp_path: Path) -> None:
    native = StackContext(load_definition(None, {}), tmp_path / "home")
    assert "docker" not in {r.name for r in install.needed(native)}
    assert {"docker", "debootstrap"} <= {r.name for r in install.needed(native, docker=True)}
    docker = StackContext(load_definition(None, {"DYTT_STACK__PROVIDER": "docker"}), native.home)
    assert "docker" in {r.name for r in install.needed(docker)}


def test_no_engine_is_one_clear_line(
    ctx: StackContext, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-engine.sock")
    with pytest.raises(ProviderUnavailable, match="no Docker engine answers") as info:
        engine()
    assert "\n" not in str(info.value)
    with pytest.raises(ProviderUnavailable):
        DockerProvider().inspect(ctx, ctx.definition.components["mysql"])
