"""The docker provider: each component is a container on the stack's own network.

Infrastructure runs its official image or the local stand-in (`stack.images`), with a named
volume for its data; dytt's services and gateway run the app image. Containers reach each other
by component name on a user-defined network (a service registers `user:15001` in etcd, and its
certificate names `user`); each also publishes its ports on the stack's host, where dyttctl
probes, bootstraps and serves REST clients. dytt's processes get the state dir's PKI read-only
and its log dir at the same paths as native ones, so certificate renewal and `dyttctl logs`
work unchanged.

`down` removes the containers (their output is kept in the state dir's logs) and, once empty,
the network; named volumes stay, so data survives until they are removed on purpose.
Talks to the engine through the `docker` SDK; container specs are plain data built by
`container_spec`, testable without an engine.
"""

from __future__ import annotations

import hashlib
import os
import threading
from datetime import datetime
from typing import TYPE_CHECKING, Any

from stack.definition import Component, DockerSpec
from stack.errors import DefinitionError, ProviderUnavailable, StartFailed
from stack.images import choice
from stack.images.engine import engine
from stack.providers.base import Instance
from stack.state import StackContext
from stack.wiring import SERVICE_KINDS, service_env

if TYPE_CHECKING:
    import docker
    from docker.models.containers import Container

__all__ = ["DockerProvider", "container_name", "container_spec", "engine", "network_name",
           "volume_name"]

LABEL = "io.dytt.component"
HOME_LABEL = "io.dytt.home"
# a service's plaintext health-only port inside its own container (never published): the
# image's HEALTHCHECK asks it, since the mTLS port wants a client certificate
HEALTH_PORT = 8086
_NETWORK_LOCK = threading.Lock()


def stack_id(ctx: StackContext) -> str:
    """The state dir's name and a hash of its path: two stacks never share a container, a
    network or a volume, even when their state dirs have the same name."""
    digest = hashlib.sha256(str(ctx.home).encode()).hexdigest()[:6]
    return f"{ctx.home.name.strip('.') or 'home'}-{digest}"


def container_name(ctx: StackContext, comp: Component) -> str:
    """`dytt-<stack>-<unit>`."""
    return f"dytt-{stack_id(ctx)}-{comp.unit.replace('@', '-')}"


def network_name(ctx: StackContext) -> str:
    """The stack's user-defined network, where containers find each other by name."""
    return f"dytt-{stack_id(ctx)}"


def volume_name(ctx: StackContext, comp: Component) -> str:
    """The named volume that keeps the component's data across `down` and `up`."""
    return f"dytt-{stack_id(ctx)}-{comp.name}-data"


def _spec(comp: Component) -> DockerSpec:
    if comp.docker is None:
        raise DefinitionError(f"{comp.name} has no [docker] section: it cannot run in docker")
    return comp.docker


def _labels(ctx: StackContext, comp: Component | None = None) -> dict[str, str]:
    labels = {HOME_LABEL: str(ctx.home)}
    return {**labels, LABEL: comp.name} if comp else labels


def _health_env(comp: Component) -> dict[str, str]:
    """What the app image's HEALTHCHECK probes, from inside the container."""
    if comp.ready.check == "grpc":
        return {"DYTT_SVC_HEALTH_PORT": str(HEALTH_PORT),
                "DYTT_SVC_HEALTH_URL": f"grpc://127.0.0.1:{HEALTH_PORT}"}
    return {"DYTT_SVC_HEALTH_URL": f"http://127.0.0.1:{comp.port}{comp.ready.path}"}


def container_spec(ctx: StackContext, comp: Component, image: str | None = None) -> dict[str, Any]:
    """The keyword arguments of `containers.run` for `comp` (running `image`, default: the
    official one, else the local one)."""
    spec = _spec(comp)
    name = container_name(ctx, comp)
    host = ctx.host(comp)
    # infrastructure publishes the ports it lists; dytt's processes listen inside on the
    # numbers they are published on, so that what they register is what others dial
    published = spec.container_port or dict(comp.ports)
    env = {k: ctx.render(comp, v) for k, v in spec.env.items()}
    run: dict[str, Any] = {
        "image": image or spec.image or spec.local_image,
        "name": name,
        "hostname": comp.name,
        "detach": True,
        "environment": env,
        "ports": {f"{inner}/tcp": (host, comp.ports[port_name])
                  for port_name, inner in published.items()},
        "labels": _labels(ctx, comp),
        "network": network_name(ctx),
        "networking_config": {network_name(ctx): {"Aliases": [comp.name]}},
        "restart_policy": {"Name": "unless-stopped"},
        "stop_signal": comp.stop_signal,
    }
    if spec.command:
        run["command"] = [ctx.render(comp, part) for part in spec.command]
    if spec.volume:
        run["volumes"] = {volume_name(ctx, comp): {"bind": spec.volume, "mode": "rw"}}
    if comp.kind in SERVICE_KINDS:
        run |= _app_container(ctx, comp, env)
    return run


def _app_container(ctx: StackContext, comp: Component, env: dict[str, str]) -> dict[str, Any]:
    """What a service or gateway container adds: wiring, mounts, identity, confinement."""
    env.update(service_env(ctx, comp))
    env.update(_health_env(comp))
    pki, logs = ctx.home / "pki", ctx.log_dir
    return {
        "volumes": {str(pki): {"bind": str(pki), "mode": "ro"},
                    str(logs): {"bind": str(logs), "mode": "rw"}},
        # the state dir's owner, as native processes run: its keys (0600) stay readable
        # without loosening their modes, and its logs writable; any capability is dropped
        "user": f"{os.getuid()}:{os.getgid()}",
        "cap_drop": ["ALL"],
        "security_opt": ["no-new-privileges"],
        # an init as PID 1: signals reach Python's handlers and orphans are reaped
        "init": True,
    }


def _started_at(state: dict[str, Any]) -> float | None:
    text = str(state.get("StartedAt") or "")
    if not text or text.startswith("0001-"):
        return None
    # the engine gives nanoseconds; fromisoformat takes at most microseconds
    head, _, rest = text.partition(".")
    fraction = "".join(c for c in rest if c.isdigit())[:6]
    return datetime.fromisoformat(f"{head}.{fraction or '0'}+00:00").timestamp()


class DockerProvider:
    """Runs components as containers."""

    name = "docker"
    # the engine publishes the ports; it reports a clash itself when starting the container
    binds_ports = False

    def _container(self, client: docker.DockerClient, ctx: StackContext,
                   comp: Component) -> Container | None:
        from docker.errors import NotFound

        try:
            return client.containers.get(container_name(ctx, comp))
        except NotFound:
            return None

    def _network(self, client: docker.DockerClient, ctx: StackContext) -> None:
        from docker.errors import APIError

        name = network_name(ctx)
        # the components of a wave start in parallel, and the engine accepts two networks of
        # one name (then attaches to neither): one creation at a time
        with _NETWORK_LOCK:
            if any(n.name == name for n in client.networks.list(names=[name])):
                return
            try:
                client.networks.create(name, driver="bridge", labels=_labels(ctx),
                                       check_duplicate=True)
            except APIError as exc:
                raise StartFailed(f"docker: cannot create network {name}: "
                                  f"{exc.explanation or exc}") from exc

    def start(self, ctx: StackContext, comp: Component) -> None:
        """Create and start the component's container (a left-over one is replaced)."""
        from docker.errors import APIError

        client = engine()
        ctx.ensure_dirs()
        existing = self._container(client, ctx, comp)
        if existing is not None:
            if existing.status == "running":
                return
            existing.remove(force=True)
        self._network(client, ctx)
        spec = container_spec(ctx, comp, choice.pick(ctx, comp, client))
        try:
            if comp.docker and comp.docker.volume:
                client.volumes.create(volume_name(ctx, comp), labels=_labels(ctx, comp))
            client.containers.run(**spec)
        except APIError as exc:
            raise StartFailed(f"{comp.name}: docker: {exc.explanation or exc}") from exc

    def stop(self, ctx: StackContext, comp: Component) -> bool:
        """Stop the container (the engine escalates to SIGKILL after the stop timeout), keep
        its output in the state dir's log, and remove it; its volume stays."""
        from docker.errors import DockerException

        try:
            client = engine()
        except ProviderUnavailable:
            return False
        container = self._container(client, ctx, comp)
        if container is None:
            return False
        was_running = container.status in ("running", "restarting")
        try:
            container.stop(timeout=int(comp.stop_timeout))
            self._keep_output(ctx, comp, container)
            container.remove(force=True)
        except DockerException as exc:
            raise StartFailed(f"{comp.name}: docker: cannot stop {container.name}: "
                              f"{str(exc).splitlines()[0]}") from exc
        return was_running

    @staticmethod
    def _keep_output(ctx: StackContext, comp: Component, container: Container) -> None:
        output = container.logs(timestamps=False)
        if output:
            ctx.ensure_dirs()
            with ctx.log_file(comp).open("ab") as log:
                log.write(f"\n--- dyttctl: output of container {container.name} ---\n".encode())
                log.write(output)

    def inspect(self, ctx: StackContext, comp: Component) -> Instance:
        """The container's state as the engine reports it."""
        container = self._container(engine(), ctx, comp)
        if container is None:
            return Instance(False, detail="no container")
        state = container.attrs.get("State", {})
        health = (state.get("Health") or {}).get("Status")
        return Instance(
            # restarting: its process exited and the engine's restart policy starts it again,
            # which is what a start-up that lost a race with its dependencies needs
            container.status in ("running", "restarting"), pid=state.get("Pid") or None,
            started_at=_started_at(state),
            detail=f"{container.status} ({health})" if health else container.status,
        )

    def release(self, ctx: StackContext, comp: Component) -> None:
        """Remove the stack's network once no container is left on it."""
        from docker.errors import DockerException

        try:
            client = engine()
            name = network_name(ctx)
            for network in client.networks.list(names=[name]):
                if network.name != name:
                    continue  # the engine's filter matches parts of names too
                network.reload()
                if not network.containers:
                    network.remove()
        except (DockerException, ProviderUnavailable):
            pass  # still in use, or gone already: the last release removes it

    def log_tail(self, ctx: StackContext, comp: Component, lines: int = 15) -> str:
        """The container's last log lines."""
        from docker.errors import DockerException

        try:
            container = self._container(engine(), ctx, comp)
            if container is None:
                return ""
            return container.logs(tail=lines).decode(errors="replace").rstrip()
        except (DockerException, ProviderUnavailable):
            return ""
