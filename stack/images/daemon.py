"""Starting the Docker engine where nothing starts it (a CI container has no systemd)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

from stack.errors import InstallFailed
from stack.images.engine import docker_host, unix_socket_answers
from stack.providers.native import find_binary

LOG = Path("/var/log/dockerd.log")
START_TIMEOUT = 60.0


def ensure_running(say: Callable[[str], None], timeout: float = START_TIMEOUT) -> bool:
    """Start `dockerd` in the background when its socket does not answer, and wait until it
    does; whether it was started here."""
    host = docker_host()
    if not host.startswith("unix://"):
        return False  # a remote engine is somebody else's to start
    if unix_socket_answers(host) is None:
        return False
    dockerd = find_binary("dockerd")
    if dockerd is None:
        raise InstallFailed("dockerd is not installed (apt-get install docker.io)")
    if os.geteuid() != 0:
        raise InstallFailed(f"no Docker engine answers at {host} and starting one needs root: "
                            f"sudo {dockerd} &")
    say(f"starting dockerd in the background (log: {LOG})")
    argv = [dockerd, "--host", host]
    fd = os.open(LOG, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o640)
    try:
        # detached in a session of its own: it outlives this command, like a service would
        os.posix_spawn(dockerd, argv, dict(os.environ), setsid=True, file_actions=[
            (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
            (os.POSIX_SPAWN_DUP2, fd, 1),
            (os.POSIX_SPAWN_DUP2, fd, 2),
        ])
    finally:
        os.close(fd)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if unix_socket_answers(host) is None:
            return True
        time.sleep(0.5)
    raise InstallFailed(f"dockerd did not answer at {host} within {timeout:g}s; see {LOG}")
