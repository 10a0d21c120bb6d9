"""The whole stack as containers (`dyttctl --provider docker`), once for these tests.

Needs a Docker engine: without one every test here is skipped, saying why. Images are built
with `dyttctl images build` (cached across runs: a warm build checks hashes and builds nothing);
the stack gets a throwaway state dir and free ports, and at the end its containers, network and
volumes are removed (the images stay).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from stack.errors import ProviderUnavailable
from stack.images.engine import engine
from stack.providers.docker import HOME_LABEL
from tests.conftest import TEST_LOGIN_PER_ADDRESS, RunningStack, port_variables

# a cold build on a fresh machine (debootstrap, every image) took 6 minutes here; up ~1
BUILD_TIMEOUT = 1800
UP_TIMEOUT = 600


def engine_or_skip() -> object:
    """The engine, or skip the test saying why there is none."""
    try:
        return engine()
    except ProviderUnavailable as exc:
        pytest.skip(f"no Docker engine: {exc}")


class DockerStack(RunningStack):
    """A stack run by the docker provider."""

    def dc(self, *args: str, timeout: float = UP_TIMEOUT, check: bool = True) -> str:
        """`dyttctl --home HOME --provider docker ARGS`."""
        return self.dyttctl("--provider", "docker", *args, timeout=timeout, check=check)

    def containers(self) -> list[object]:
        """Every container of this stack, running or not."""
        client = engine()
        return client.containers.list(all=True,  # type: ignore[attr-defined]
                                      filters={"label": f"{HOME_LABEL}={self.home}"})


def remove_everything(stack: DockerStack) -> None:
    """The stack's containers, network and volumes: gone."""
    from docker.errors import DockerException

    client = engine()
    label = {"label": f"{HOME_LABEL}={stack.home}"}
    for container in client.containers.list(all=True, filters=label):  # type: ignore[attr-defined]
        container.remove(force=True)
    for network in client.networks.list(filters=label):  # type: ignore[attr-defined]
        network.remove()
    for volume in client.volumes.list(filters=label):  # type: ignore[attr-defined]
        with contextlib.suppress(DockerException):
            volume.remove(force=True)


@pytest.fixture(scope="package")
def docker_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DockerStack]:
    """Images built (or found up to date), then the stack up in containers."""
    engine_or_skip()
    home = tmp_path_factory.mktemp("dytt-docker")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DYTT_")}
    env.update(port_variables())
    env["DYTT_GATEWAY__PARAMS__LOGIN_PER_ADDRESS"] = TEST_LOGIN_PER_ADDRESS
    # what `--provider docker` says, for the commands and the tests' own view of the stack
    env["DYTT_STACK__PROVIDER"] = "docker"
    stack = DockerStack(home, env)
    stack.dc("images", "build", timeout=BUILD_TIMEOUT)
    try:
        stack.dc("up")
        yield stack
    finally:
        stack.dc("down", check=False)
        remove_everything(stack)


def logs_of(home: Path) -> str:
    """Every line the stack's processes logged (for failure messages)."""
    return "\n".join(p.read_text(errors="replace")[-2000:]
                     for p in sorted((home / "logs").rglob("*")) if p.is_file())
