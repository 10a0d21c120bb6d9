"""`dyttctl install` and `dyttctl doctor`: what the stack's servers need, and getting it.

MariaDB and etcd come from Debian's packages, MinIO is built with `go install`, Zipkin's exec
jar comes from Maven Central through Maven. Only what the native provider runs is needed, plus
(`--docker`, or a component the docker provider runs) a Docker engine that answers and
debootstrap, which the local images are built from (see stack/images/).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass

from stack.errors import InstallFailed
from stack.providers.native import find_binary
from stack.state import StackContext

ZIPKIN_JAR = "zipkin-server-exec.jar"


@dataclass(frozen=True)
class Requirement:
    """One program the stack needs, how to find it and the exact command that gets it."""

    name: str
    needed_by: tuple[str, ...]
    locate: Callable[[StackContext], str | None]
    command: Callable[[StackContext], list[str]]
    apt_package: str | None = None

    def how(self, ctx: StackContext) -> str:
        """The command that installs it, as an operator would type it."""
        return " ".join(self.command(ctx))


def _program(*names: str) -> Callable[[StackContext], str | None]:
    def locate(ctx: StackContext) -> str | None:
        paths = [find_binary(n, ctx) for n in names]
        return paths[0] if all(paths) else None

    return locate


def _apt(package: str) -> Callable[[StackContext], list[str]]:
    return lambda _ctx: ["apt-get", "install", "-y", "--no-install-recommends", package]


def _zipkin_jar(ctx: StackContext) -> str | None:
    jar = ctx.bin_dir / ZIPKIN_JAR
    return str(jar) if jar.is_file() and jar.stat().st_size > 0 else None


def _zipkin_command(ctx: StackContext) -> list[str]:
    return [
        "mvn", "-q", "-B", "dependency:copy",
        f"-Dartifact={ctx.definition.stack.zipkin_artifact}",
        f"-DoutputDirectory={ctx.bin_dir}", "-Dmdep.stripVersion=true",
    ]


REQUIREMENTS: tuple[Requirement, ...] = (
    Requirement(
        "mariadb", ("mysql",), _program("mariadbd", "mariadb-install-db"),
        _apt("mariadb-server"), "mariadb-server",
    ),
    Requirement("etcd", ("etcd",), _program("etcd"), _apt("etcd-server"), "etcd-server"),
    Requirement("java", ("zipkin",), _program("java"), _apt("default-jre-headless"),
                "default-jre-headless"),
    Requirement("maven", ("zipkin",), _program("mvn"), _apt("maven"), "maven"),
    # Debian's golang is too old for MinIO's module; the machine's Go toolchain is used
    Requirement("go", ("minio",), _program("go"), _apt("golang-go"), "golang-go"),
    Requirement(
        "minio", ("minio",), _program("minio"),
        lambda ctx: ["go", "install", ctx.definition.stack.minio_package],
    ),
    Requirement("zipkin-server", ("zipkin",), _zipkin_jar, _zipkin_command),
)
# What the docker provider and `dyttctl images build` need: the engine, and debootstrap for the
# local Debian base (no image registry has to answer).
DOCKER_REQUIREMENTS: tuple[Requirement, ...] = (
    Requirement("docker", ("docker",), _program("dockerd", "docker"), _apt("docker.io"),
                "docker.io"),
    Requirement("debootstrap", ("docker",), _program("debootstrap"), _apt("debootstrap"),
                "debootstrap"),
)
# installing one of these needs the other first
PREREQUISITES = {"minio": ("go",), "zipkin-server": ("java", "maven")}


def uses_docker(ctx: StackContext) -> bool:
    """Whether any component runs in a container."""
    return any(ctx.definition.provider_of(c) == "docker"
               for c in ctx.definition.components.values())


def needed(ctx: StackContext, docker: bool = False) -> list[Requirement]:
    """The requirements of the components that the native provider runs, and the container
    engine's when asked for or when the docker provider runs any."""
    native = {
        c.name for c in ctx.definition.components.values()
        if ctx.definition.provider_of(c) == "native"
    }
    wanted = [r for r in REQUIREMENTS if native & set(r.needed_by)]
    if docker or uses_docker(ctx):
        wanted += DOCKER_REQUIREMENTS
    return wanted


@dataclass(frozen=True)
class Check:
    """One row of `dyttctl doctor`."""

    name: str
    found: str | None
    how: str

    def to_json(self) -> dict[str, str | None]:
        return {"name": self.name, "found": self.found, "install": self.how}


def doctor(ctx: StackContext, docker: bool = False) -> list[Check]:
    """What is installed and what is missing, with the command that gets each."""
    return [Check(r.name, r.locate(ctx), r.how(ctx)) for r in needed(ctx, docker)]


def _run(argv: list[str], what: str, env: dict[str, str] | None = None) -> None:
    if os.geteuid() != 0 and argv[0] == "apt-get":
        if shutil.which("sudo") is None:
            raise InstallFailed(f"{what}: needs root; run as root: {' '.join(argv)}")
        argv = ["sudo", "-n", *argv]
    try:
        result = subprocess.run(argv, env=env, stdin=subprocess.DEVNULL, check=False)
    except FileNotFoundError as exc:
        raise InstallFailed(f"{what}: {argv[0]} is not installed") from exc
    if result.returncode != 0:
        raise InstallFailed(f"{what}: `{' '.join(argv)}` exited {result.returncode}")


def install(ctx: StackContext, say: Callable[[str], None] = print,
            docker: bool = False) -> list[str]:
    """Install every missing requirement, and start the container engine when it is needed
    and does not answer; the names installed (none when all are present)."""
    wanted = needed(ctx, docker)
    got = _install(ctx, wanted, say)
    if any(r in DOCKER_REQUIREMENTS for r in wanted):
        from stack.images.daemon import ensure_running

        if ensure_running(say):
            got.append("dockerd (started)")
    return got


def ensure(ctx: StackContext, names: list[str], say: Callable[[str], None] = print) -> list[str]:
    """Install the requirements called `names` (and what they need) when missing."""
    every = (*REQUIREMENTS, *DOCKER_REQUIREMENTS)
    names = [p for n in names for p in PREREQUISITES.get(n, ())] + list(names)
    return _install(ctx, [r for r in every if r.name in names], say)


def _install(ctx: StackContext, wanted: list[Requirement],
             say: Callable[[str], None]) -> list[str]:
    missing = [r for r in wanted if r.locate(ctx) is None]
    apt = [r.apt_package for r in missing if r.apt_package]
    if apt:
        say(f"installing Debian packages: {' '.join(apt)}")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        _run(["apt-get", "update", "-qq"], "apt-get update", env)
        _run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *apt], "apt", env)
    for req in missing:
        if req.apt_package:
            continue
        if req.name == "minio":
            say("building MinIO with `go install` (several minutes the first time)")
        else:
            say(f"installing {req.name}: {req.how(ctx)}")
        ctx.bin_dir.mkdir(parents=True, exist_ok=True)
        _run(req.command(ctx), req.name)
    still = [r.name for r in missing if r.locate(ctx) is None]
    if still:
        raise InstallFailed(f"still missing after install: {', '.join(still)}")
    return [r.name for r in missing]
