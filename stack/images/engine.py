"""The Docker engine this machine talks to, or one line saying why there is none."""

from __future__ import annotations

import os
import socket
from typing import TYPE_CHECKING

from stack.errors import ProviderUnavailable

if TYPE_CHECKING:
    import docker

DEFAULT_HOST = "unix:///var/run/docker.sock"


def docker_host() -> str:
    """Where the engine answers: `$DOCKER_HOST`, else the usual unix socket."""
    return os.environ.get("DOCKER_HOST", DEFAULT_HOST)


def unix_socket_answers(host: str) -> str | None:
    """Why the engine's unix socket does not answer, or None when it does.

    Checked here first because docker-py leaks its socket when the connect fails.
    """
    path = host.removeprefix("unix://")
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(2)
        try:
            sock.connect(path)
        except OSError as exc:
            return f"{path}: {exc.strerror or exc}"
    return None


def engine(timeout: int = 30) -> docker.DockerClient:
    """A client of a Docker engine that answers, or ProviderUnavailable in one line."""
    import docker
    from docker.errors import DockerException

    host = docker_host()
    reason = unix_socket_answers(host) if host.startswith("unix://") else None
    if reason is None:
        try:
            client = docker.from_env(timeout=timeout)
            client.ping()
            return client
        except DockerException as exc:
            reason = str(exc).splitlines()[0][:160]
    raise ProviderUnavailable(
        f"docker provider: no Docker engine answers ({reason}); start one or use --provider native"
    )
