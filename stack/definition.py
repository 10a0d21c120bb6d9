"""The stack definition: `stack.toml`, merged with a config file and environment overrides."""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from stack.cluster.settings import ClusterSettings
from stack.errors import DefinitionError

DEFAULT_DEFINITION = Path(__file__).with_name("stack.toml")
ENV_PREFIX = "DYTT_"
# sections of the definition that are not components
TOP_LEVEL_SECTIONS = frozenset({"stack", "cluster", "secrets"})

Kind = Literal["infra", "service", "gateway"]
ProviderName = Literal["native", "docker", "external"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Readiness(_Strict):
    """How to tell that a component is ready to serve."""

    check: Literal["sql", "etcd", "http", "tcp", "grpc"]
    path: str = "/"
    timeout: float = Field(default=60.0, gt=0)
    interval: float = Field(default=0.25, gt=0)


class Liveness(_Strict):
    """When the supervisor gives up on a running process that stopped answering its check."""

    # seconds between two probes of one process
    period: float = Field(default=5.0, gt=0)
    # a probe that takes longer failed: a hung process may accept connections but never answer
    timeout: float = Field(default=2.0, gt=0)
    # failing for this long (while its process is alive) gets the process killed and restarted
    failure_after: float = Field(default=30.0, gt=0)
    # not probed for this long after it became ready: a slow warm-up is not a hang
    initial_delay: float = Field(default=10.0, ge=0)
    enabled: bool = True


class NativeSpec(_Strict):
    """How the native provider runs a component as a child process."""

    binary: str
    command: list[str]
    init: list[str] = []
    # init runs only while this path (relative to the data dir) does not exist
    init_marker: str | None = None
    env: dict[str, str] = {}


class DockerSpec(_Strict):
    """How the docker provider runs a component as a container."""

    # the official image; none for dytt's own processes, which run the app image
    image: str | None = None
    # the stand-in made on this machine from Debian's packages (`dyttctl images build`)
    local_image: str | None = None
    # the port inside the container, by port name; unlisted ports keep their number
    container_port: dict[str, int] = {}
    volume: str | None = None
    command: list[str] = []
    env: dict[str, str] = {}

    @model_validator(mode="after")
    def _names_an_image(self) -> DockerSpec:
        if not (self.image or self.local_image):
            raise ValueError("docker needs an image or a local_image")
        return self

    def inner_port(self, name: str, published: int) -> int:
        """The port the container listens on for port `name` (published as `published`)."""
        return self.container_port.get(name, published)


class Component(_Strict):
    """One process of the stack: a server, a service or the gateway."""

    name: str
    kind: Kind
    description: str = ""
    provider: ProviderName | None = None
    # where the component answers; external components set it to their real host
    host: str | None = None
    ports: dict[str, int]
    data_dir: str | None = None
    depends_on: list[str] = []
    stop_signal: Literal["SIGTERM", "SIGINT", "SIGQUIT", "SIGHUP"] = "SIGTERM"
    stop_timeout: float = Field(default=10.0, gt=0)
    ready: Readiness
    liveness: Liveness = Liveness()
    bootstrap: str | None = None
    params: dict[str, str] = {}
    # identities (component names) allowed to call a service's methods
    callers: list[str] = []
    native: NativeSpec | None = None
    docker: DockerSpec | None = None
    # which process of a scaled component this is: "" for the first, set by the supervisor
    instance: str = ""

    @property
    def port(self) -> int:
        """The component's main port."""
        return self.ports["main"]

    @property
    def unit(self) -> str:
        """The name of this process: `name`, or `name@instance` for further instances."""
        return f"{self.name}@{self.instance}" if self.instance else self.name

    def as_instance(self, instance: str, port: int) -> Component:
        """The same component as another process, listening on `port`."""
        return self.model_copy(update={"instance": instance, "ports": {**self.ports, "main": port}})

    @model_validator(mode="after")
    def _has_main_port(self) -> Component:
        if "main" not in self.ports:
            raise ValueError("ports must name a 'main' port")
        for name, port in self.ports.items():
            if not 0 < port < 65536:
                raise ValueError(f"port {name}={port} is not in 1..65535")
        return self


class StackSettings(_Strict):
    """Stack-wide settings."""

    provider: ProviderName = "native"
    host: str = "127.0.0.1"
    # which images the docker provider runs: the official ones, the local stand-ins built by
    # `dyttctl images build`, or (auto) an official one present or pullable, else the local one
    images: Literal["auto", "official", "local"] = "auto"
    # programs and jars fetched by `dyttctl install`; shared by every state dir
    bin_dir: str | None = None
    # where clients fetch media (a phone cannot reach 127.0.0.1); default: MinIO's bucket URL
    public_media_url: str = ""
    # the largest video a client may publish, checked by the gateway and the publish service
    max_upload_mb: int = Field(default=200, gt=0)
    # lifetime of the leaf certificates the supervisor renews (and of the CRL); unset: each
    # leaf keeps the lifetime it was issued with (7 days from `up`)
    cert_lifetime_hours: float | None = Field(default=None, gt=0)
    minio_package: str = "github.com/minio/minio@latest"
    zipkin_artifact: str = "io.zipkin:zipkin-server:3.6.1:jar:exec"


class StackDefinition(_Strict):
    """The whole stack: settings plus components by name."""

    stack: StackSettings = StackSettings()
    # how services and the gateway run in a swarm or a Kubernetes cluster (`dyttctl cluster`)
    cluster: ClusterSettings = ClusterSettings()
    components: dict[str, Component]
    secrets: dict[str, str] = {}

    @model_validator(mode="after")
    def _dependencies_exist(self) -> StackDefinition:
        for comp in self.components.values():
            for dep in comp.depends_on:
                if dep not in self.components:
                    raise ValueError(f"{comp.name} depends on unknown component {dep!r}")
        topological_order(self.components)
        return self

    def provider_of(self, comp: Component) -> ProviderName:
        """The provider that runs `comp`: its own, else the stack's."""
        return comp.provider or self.stack.provider

    def host_of(self, comp: Component) -> str:
        """The host `comp` answers on."""
        return comp.host or self.stack.host

    def select(self, names: list[str] | None) -> list[Component]:
        """`names` and everything they depend on, in dependency order (all when empty)."""
        if not names:
            return [self.components[n] for n in topological_order(self.components)]
        unknown = [n for n in names if n not in self.components]
        if unknown:
            known = ", ".join(self.components)
            raise DefinitionError(f"unknown component {unknown[0]!r} (known: {known})")
        wanted: set[str] = set()
        pending = list(names)
        while pending:
            name = pending.pop()
            if name not in wanted:
                wanted.add(name)
                pending.extend(self.components[name].depends_on)
        return [self.components[n] for n in topological_order(self.components) if n in wanted]


def topological_order(components: Mapping[str, Component]) -> list[str]:
    """Component names so that each comes after its dependencies; file order breaks ties."""
    order: list[str] = []
    state: dict[str, str] = {}

    def visit(name: str, path: list[str]) -> None:
        if state.get(name) == "done":
            return
        if state.get(name) == "visiting":
            cycle = " -> ".join([*path, name])
            raise ValueError(f"dependency cycle: {cycle}")
        state[name] = "visiting"
        for dep in components[name].depends_on:
            visit(dep, [*path, name])
        state[name] = "done"
        order.append(name)

    for name in components:
        visit(name, [])
    return order


def deep_merge(base: dict[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """`base` with `override` merged in: tables merge key by key, everything else replaces."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def env_overrides(environ: Mapping[str, str], sections: set[str]) -> dict[str, Any]:
    """Overrides from `DYTT_<SECTION>__<FIELD>[__<FIELD>...]` variables.

    A section is `stack`, `cluster`, `secrets` or a component name. Values are parsed as JSON
    when they parse (numbers, lists, booleans), else taken as strings.
    """
    result: dict[str, Any] = {}
    for key, raw in environ.items():
        if not key.startswith(ENV_PREFIX) or "__" not in key:
            continue
        section, *path = key[len(ENV_PREFIX) :].lower().split("__")
        if section not in sections or not all(path):
            continue
        try:
            value: Any = json.loads(raw)
        except ValueError:
            value = raw
        if isinstance(value, dict):
            value = raw
        root = [section] if section in TOP_LEVEL_SECTIONS else ["components", section]
        node = result
        for part in [*root, *path[:-1]]:
            node = node.setdefault(part, {})
        node[path[-1]] = value
    return result


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except tomllib.TOMLDecodeError as exc:
        raise DefinitionError(f"{path}: invalid TOML: {exc}") from exc
    except OSError as exc:
        raise DefinitionError(f"{path}: cannot read: {exc.strerror}") from exc


def load_definition(
    config_file: Path | None = None,
    environ: Mapping[str, str] | None = None,
    base_file: Path = DEFAULT_DEFINITION,
) -> StackDefinition:
    """The stack definition: `base_file`, then `config_file` if it exists, then the environment."""
    environ = os.environ if environ is None else environ
    raw = _read_toml(base_file)
    if config_file is not None and config_file.exists():
        raw = deep_merge(raw, _read_toml(config_file))
    sections = {*TOP_LEVEL_SECTIONS, *raw.get("components", {})}
    raw = deep_merge(raw, env_overrides(environ, sections))
    for name, comp in raw.get("components", {}).items():
        if isinstance(comp, dict):
            comp["name"] = name
    try:
        return StackDefinition.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise DefinitionError(f"stack definition: {where}: {first['msg']}") from exc
