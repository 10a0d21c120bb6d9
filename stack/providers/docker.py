"""The docker provider: each component is a container of its official image, with a named volume.

Talks to the engine through the `docker` SDK. The container specs are plain data built by
`container_spec`, so they are testable without an engine.
"""

from __future__ import annotations

import os
import socket
from typing import TYPE_CHECKING, Any

from stack.definition import Component, DockerSpec
from stack.errors import DefinitionError, ProviderUnavailable, StartFailed
from stack.providers.base import Instance
from stack.state import StackContext

if TYPE_CHECKING:
    import docker

LABEL = "io.dytt.component"


def container_name(ctx: StackContext, comp: Component) -> str:
    """`dytt-<component>`, suffixed by the state dir's name so two stacks never clash."""
    return f"dytt-{ctx.home.name.strip('.') or 'home'}-{comp.name}"


def _spec(comp: Component) -> DockerSpec:
    if comp.docker is None:
        raise DefinitionError(f"{comp.name} has no [docker] section: it cannot run in docker")
    return comp.docker


def container_spec(ctx: StackContext, comp: Component) -> dict[str, Any]:
    """The keyword arguments of `containers.run` for `comp`."""
    spec = _spec(comp)
    name = container_name(ctx, comp)
    host = ctx.host(comp)
    ports = {
        f"{spec.container_port[port_name]}/tcp": (host, comp.ports[port_name])
        for port_name in spec.container_port
    }
    run: dict[str, Any] = {
        "image": spec.image,
        "name": name,
        "detach": True,
        "environment": {k: ctx.render(comp, v) for k, v in spec.env.items()},
        "ports": ports,
        "labels": {LABEL: comp.name, "io.dytt.home": str(ctx.home)},
        "restart_policy": {"Name": "unless-stopped"},
        "stop_signal": comp.stop_signal,
    }
    if spec.command:
        run["command"] = [ctx.render(comp, part) for part in spec.command]
    if spec.volume:
        run["volumes"] = {f"{name}-data": {"bind": spec.volume, "mode": "rw"}}
    return run


def _unix_socket_answers(docker_host: str) -> str | None:
    """Why the engine's unix socket does not answer, or None when it does.

    Checked here first because docker-py leaks its socket when the connect fails.
    """
    path = docker_host.removeprefix("unix://")
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(2)
        try:
            sock.connect(path)
        except OSError as exc:
            return f"{path}: {exc.strerror or exc}"
    return None


def engine() -> docker.DockerClient:
    """A client of a Docker engine that answers, or ProviderUnavailable in one line."""
    import docker
    from docker.errors import DockerException

    host = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
    reason = _unix_socket_answers(host) if host.startswith("unix://") else None
    if reason is None:
        try:
            client = docker.from_env(timeout=5)
            client.ping()
            return client
        except DockerException as exc:
            reason = str(exc).splitlines()[0][:160]
    raise ProviderUnavailable(
        f"docker provider: no Docker engine answers ({reason}); start one or use --provider native"
    )


class DockerProvider:
    """Runs components as containers."""

    name = "docker"
    # the engine publishes the ports; it reports a clash itself when starting the container
    binds_ports = False

    def start(self, ctx: StackContext, comp: Component) -> None:
        """Start the existing container, or create it from its image."""
        from docker.errors import APIError, NotFound

        client = engine()
        spec = container_spec(ctx, comp)
        try:
            try:
                client.containers.get(spec["name"]).start()
            except NotFound:
                client.containers.run(**spec)
        except APIError as exc:
            raise StartFailed(f"{comp.name}: docker: {exc.explanation or exc}") from exc

    def stop(self, ctx: StackContext, comp: Component) -> bool:
        """Stop the container (the engine escalates to SIGKILL after the stop timeout)."""
        from docker.errors import NotFound

        try:
            container = engine().containers.get(container_name(ctx, comp))
        except NotFound:
            return False
        was_running = container.status == "running"
        container.stop(timeout=int(comp.stop_timeout))
        return was_running

    def inspect(self, ctx: StackContext, comp: Component) -> Instance:
        """The container's state as the engine reports it."""
        from docker.errors import NotFound

        try:
            container = engine().containers.get(container_name(ctx, comp))
        except NotFound:
            return Instance(False, detail="no container")
        state = container.attrs.get("State", {})
        return Instance(
            container.status == "running", pid=state.get("Pid") or None, detail=container.status
        )

    def release(self, ctx: StackContext, comp: Component) -> None:
        """Nothing is held on this side."""

    def log_tail(self, ctx: StackContext, comp: Component, lines: int = 15) -> str:
        """The container's last log lines."""
        from docker.errors import DockerException

        try:
            container = engine().containers.get(container_name(ctx, comp))
            return container.logs(tail=lines).decode(errors="replace").rstrip()
        except (DockerException, ProviderUnavailable):
            return ""
