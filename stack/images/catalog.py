"""What each local image is made of: its Dockerfile, the files of its build context, its base.

Files the containers could not fetch themselves (this machine's egress intercepts TLS with a
certificate only the host trusts) come from the host: the app's wheels, the MinIO binary that
`go install` built, Zipkin's exec jar from Maven Central.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from stack import install
from stack.errors import ImageBuildFailed
from stack.images import wheels
from stack.images.debian import BASE_TAG
from stack.state import PROJECT_ROOT, StackContext

RECIPES = Path(__file__).with_name("recipes")
APP_TAG = "dytt/app:latest"
# the packages of the app image: what dytt's processes import (not the operator side)
APP_PACKAGES = ("protos", "pki", "services", "gateway")


@dataclass(frozen=True)
class Workshop:
    """Where an image's inputs come from: the stack (programs it installs) and a cache dir."""

    ctx: StackContext
    cache: Path
    say: Callable[[str], None]

    def program(self, requirement: str) -> Path:
        """A program or jar `dyttctl install` gets, installed now when missing."""
        install.ensure(self.ctx, [requirement], self.say)
        located = next(r for r in install.REQUIREMENTS if r.name == requirement).locate(self.ctx)
        if located is None:
            raise ImageBuildFailed(f"{requirement} is still missing after installing it")
        return Path(located)


Context = Callable[[Workshop], dict[str, Path]]


@dataclass(frozen=True)
class Recipe:
    """One local image: its tag, Dockerfile, and the other files of its build context."""

    name: str
    tag: str
    dockerfile: Path
    context: Context


def _files(root: Path, prefix: str) -> dict[str, Path]:
    return {f"{prefix}/{p.relative_to(root).as_posix()}": p for p in sorted(root.rglob("*"))
            if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
            and not p.name.startswith(".")}


def _app(shop: Workshop) -> dict[str, Path]:
    files = _files(wheels.wheelhouse(shop.cache, shop.say), "wheels")
    for package in APP_PACKAGES:
        files |= _files(PROJECT_ROOT / package, package)
    return files


RECIPE_LIST = (
    Recipe("mariadb", "dytt/mariadb:bookworm", RECIPES / "mariadb.Dockerfile",
           lambda _shop: {"mariadb-entrypoint.sh": RECIPES / "mariadb-entrypoint.sh"}),
    Recipe("etcd", "dytt/etcd:bookworm", RECIPES / "etcd.Dockerfile", lambda _shop: {}),
    Recipe("minio", "dytt/minio:latest", RECIPES / "minio.Dockerfile",
           lambda shop: {"minio": shop.program("minio")}),
    Recipe("zipkin", "dytt/zipkin:3", RECIPES / "zipkin.Dockerfile",
           lambda shop: {"zipkin-server-exec.jar": shop.program("zipkin-server")}),
    Recipe("app", APP_TAG, PROJECT_ROOT / "Dockerfile", _app),
)
RECIPES_BY_TAG = {r.tag: r for r in RECIPE_LIST}
NAMES = ("debian", *(r.name for r in RECIPE_LIST))


def recipe_for(tag: str) -> Recipe:
    """The recipe that builds local image `tag`."""
    try:
        return RECIPES_BY_TAG[tag]
    except KeyError:
        known = ", ".join([BASE_TAG, *RECIPES_BY_TAG])
        raise ImageBuildFailed(f"no recipe builds {tag!r} (local images: {known})") from None


def by_name(names: list[str]) -> list[Recipe]:
    """The recipes called `names` (all when empty); `debian` is the base, always built."""
    unknown = [n for n in names if n not in NAMES]
    if unknown:
        raise ImageBuildFailed(f"unknown image {unknown[0]!r} (known: {', '.join(NAMES)})")
    return [r for r in RECIPE_LIST if not names or r.name in names]
