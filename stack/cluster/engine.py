"""Deploying a rendered swarm stack, watching it converge, and removing it.

`docker stack deploy` and `docker stack rm` are the docker CLI's (the SDK has no stacks); the
state of services and tasks is read through the SDK.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stack.cluster.swarm import COMPOSE_FILE, MIGRATE
from stack.errors import ProviderUnavailable, StackError

if TYPE_CHECKING:
    import docker

STACK_LABEL = "com.docker.stack.namespace"
Say = Callable[[str], None]


def _quiet(_line: str) -> None:
    pass


class ClusterError(StackError):
    """A swarm operation failed (the docker CLI's own words)."""


def client() -> docker.DockerClient:
    """The engine's client (one line when none answers)."""
    from stack.images.engine import engine

    return engine()


def swarm_state(engine: docker.DockerClient) -> str:
    """`inactive`, `pending`, `active`, `error` or `locked`: this engine's swarm membership."""
    return str(engine.info().get("Swarm", {}).get("LocalNodeState", "inactive"))


def ensure_swarm(engine: docker.DockerClient, advertise_addr: str) -> bool:
    """Make this engine a single-node swarm manager if it is in no swarm; True if it did."""
    state = swarm_state(engine)
    if state == "active":
        return False
    if state != "inactive":
        raise ProviderUnavailable(f"swarm: this engine's swarm is {state}; see `docker info`")
    engine.swarm.init(advertise_addr=advertise_addr)
    return True


def leave_swarm(engine: docker.DockerClient) -> None:
    """Leave the swarm (a single-node one ends with it)."""
    engine.swarm.leave(force=True)


def _docker(*args: str, cwd: Path | None = None, timeout: float = 300) -> str:
    try:
        result = subprocess.run(["docker", *args], cwd=cwd, capture_output=True, text=True,
                                timeout=timeout, check=False)
    except FileNotFoundError as exc:
        raise ProviderUnavailable("swarm: the docker CLI is not installed") from exc
    if result.returncode != 0:
        said = (result.stderr or result.stdout).strip().splitlines()
        raise ClusterError(f"docker {' '.join(args[:2])}: {said[-1] if said else 'failed'}")
    return result.stdout


def deploy(out: Path, stack: str) -> str:
    """`docker stack deploy` the rendering in `out` as `stack` (creates or updates it)."""
    if not (out / COMPOSE_FILE).is_file():
        raise ClusterError(f"{out / COMPOSE_FILE} does not exist: run `dyttctl cluster render "
                           f"swarm --out {out}` first")
    # --resolve-image never: the images are local, there is no registry to ask for digests;
    # --prune: a service no longer rendered is removed
    return _docker("stack", "deploy", "--prune", "--resolve-image", "never",
                   "-c", COMPOSE_FILE, stack, cwd=out)


@dataclass(frozen=True)
class ServiceState:
    """One swarm service of the stack: replicas wanted, tasks running (healthy), done."""

    name: str
    component: str
    wanted: int
    running: int
    completed: int
    failed: list[str]

    @property
    def converged(self) -> bool:
        if self.component == MIGRATE:
            return self.completed >= 1
        return self.running == self.wanted

    def to_json(self) -> dict[str, Any]:
        return {"service": self.name, "component": self.component, "wanted": self.wanted,
                "running": self.running, "completed": self.completed, "failed": self.failed}


def _services(engine: docker.DockerClient, stack: str) -> list[Any]:
    return engine.services.list(filters={"label": f"{STACK_LABEL}={stack}"})


def states(engine: docker.DockerClient, stack: str) -> list[ServiceState]:
    """Every service of `stack` and its tasks, as the swarm reports them now."""
    found = []
    for service in _services(engine, stack):
        spec = service.attrs["Spec"]
        wanted = int(spec.get("Mode", {}).get("Replicated", {}).get("Replicas", 0))
        component = spec.get("Labels", {}).get("io.dytt.component", spec["Name"])
        running = completed = 0
        failed = []
        for task in service.tasks():
            status = task.get("Status", {})
            state = status.get("State")
            # a task with a health check is "running" only once it passed it
            if state == "running" and task.get("DesiredState") == "running":
                running += 1
            elif state == "complete":
                completed += 1
            elif state in {"failed", "rejected"} and task.get("DesiredState") == "running":
                failed.append(status.get("Err") or state)
        found.append(ServiceState(spec["Name"], component, wanted, running, completed, failed))
    return sorted(found, key=lambda s: s.name)


def wait_converged(engine: docker.DockerClient, stack: str, timeout: float = 300,
                   say: Say = _quiet) -> list[ServiceState]:
    """Until every service runs its replicas (and the migration completed), or ClusterError."""
    deadline = time.monotonic() + timeout
    last = ""
    while True:
        now = states(engine, stack)
        pending = [s for s in now if not s.converged]
        if now and not pending:
            return now
        summary = ", ".join(f"{s.component} {s.running}/{s.wanted}" for s in pending)
        if summary != last:
            say(f"waiting for {summary or 'the services'}")
            last = summary
        if time.monotonic() > deadline:
            errors = "; ".join(f"{s.component}: {s.failed[-1]}" for s in pending if s.failed)
            raise ClusterError(f"swarm stack {stack} not converged after {timeout:.0f}s "
                               f"({summary}){': ' + errors if errors else ''}")
        time.sleep(1)


def remove(engine: docker.DockerClient, stack: str, timeout: float = 120) -> bool:
    """`docker stack rm` and wait until its tasks' containers are gone; False if none ran."""
    if not _services(engine, stack):
        return False
    _docker("stack", "rm", stack)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        # the low-level calls: the high-level ones inspect each container, which may be gone
        left = engine.api.containers(all=True, filters={"label": f"{STACK_LABEL}={stack}"})
        networks = engine.api.networks(filters={"label": f"{STACK_LABEL}={stack}"})
        if not left and not networks:
            return True
        time.sleep(1)
    raise ClusterError(f"swarm stack {stack}: containers still there after {timeout:.0f}s")
