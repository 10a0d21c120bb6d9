"""Building the local images: each only when it is missing or its inputs changed.

An image carries the hash of everything it is made of (Dockerfile, context files, the base
image it builds on) in a label; a build whose hash matches the image under that tag is skipped
without asking the engine to build anything, so a warm `dyttctl images build` takes seconds.
The engine's layer cache covers what is left: a change of dytt's code rebuilds only the layers
that copy it.
"""

from __future__ import annotations

import contextlib
import hashlib
import tarfile
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stack.errors import ImageBuildFailed
from stack.images import debian
from stack.images.catalog import Recipe, Workshop, by_name
from stack.images.engine import engine
from stack.state import StackContext

if TYPE_CHECKING:
    import docker

HASH_LABEL = "io.dytt.content-hash"
# the engine's CPU weight for build steps (default 1024): builds yield to other work, like nice
BUILD_CPU_SHARES = 256


@dataclass(frozen=True)
class Built:
    """What a build did for one image."""

    tag: str
    action: str  # "built" or "up to date"
    seconds: float
    size: int

    def to_json(self) -> dict[str, Any]:
        return {"tag": self.tag, "action": self.action, "seconds": round(self.seconds, 1),
                "size_mb": round(self.size / 1e6, 1)}


def cache_dir(ctx: StackContext) -> Path:
    """Where wheels and work trees of image builds are kept: beside the installed programs,
    shared by every state dir."""
    return ctx.bin_dir.parent / "images"


def labelled_hash(client: docker.DockerClient, tag: str) -> str | None:
    """The content hash of the image under `tag`, None when there is none."""
    from docker.errors import ImageNotFound

    try:
        image = client.images.get(tag)
    except ImageNotFound:
        return None
    return (image.labels or {}).get(HASH_LABEL)


def _image_id(client: docker.DockerClient, tag: str) -> str | None:
    from docker.errors import ImageNotFound

    try:
        return str(client.images.get(tag).id)
    except ImageNotFound:
        return None


def content_hash(recipe: Recipe, files: dict[str, Path], base_id: str) -> str:
    """Everything the image is made of: its Dockerfile, every context file, its base."""
    digest = hashlib.sha256(f"{recipe.tag}\n{base_id}\n".encode())
    digest.update(recipe.dockerfile.read_bytes())
    for name in sorted(files):
        file_digest = hashlib.sha256()
        with files[name].open("rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                file_digest.update(block)
        digest.update(f"{name}\0{files[name].stat().st_mode & 0o111:o}\0".encode())
        digest.update(file_digest.digest())
    return digest.hexdigest()


def _normalised(info: tarfile.TarInfo) -> tarfile.TarInfo:
    # a context that does not depend on who checked the files out, or when
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.mtime = 0
    info.mode = 0o755 if info.mode & 0o111 else 0o644
    return info


def _context(recipe: Recipe, files: dict[str, Path], work: Path) -> tempfile._TemporaryFileWrapper:
    archive = tempfile.NamedTemporaryFile(dir=work, suffix=".tar")  # noqa: SIM115
    with tarfile.open(fileobj=archive, mode="w") as tar:
        tar.add(recipe.dockerfile, arcname="Dockerfile", filter=_normalised)
        for name in sorted(files):
            tar.add(files[name], arcname=name, filter=_normalised)
    archive.seek(0)
    return archive


def _stream(lines: Iterator[dict[str, Any]], tag: str, say: Callable[[str], None]) -> None:
    tail: list[str] = []
    for line in lines:
        if "error" in line:
            raise ImageBuildFailed(f"{tag}: {str(line['error']).strip()}; last output: "
                                   f"{' | '.join(tail[-3:])}")
        text = str(line.get("stream", "")).strip()
        if text:
            tail.append(text)
            if text.startswith("Step "):
                say(f"{tag}: {text}")


def _build(client: docker.DockerClient, recipe: Recipe, files: dict[str, Path], work: Path,
           content: str, say: Callable[[str], None]) -> None:
    previous = _image_id(client, recipe.tag)
    with _context(recipe, files, work) as archive:
        lines = client.api.build(
            fileobj=archive, custom_context=True, tag=recipe.tag, rm=True, forcerm=True,
            pull=False, decode=True, labels={HASH_LABEL: content},
            buildargs={"BASE": debian.BASE_TAG},
            container_limits={"cpushares": BUILD_CPU_SHARES},
        )
        _stream(lines, recipe.tag, say)
    if previous and previous != _image_id(client, recipe.tag):
        _forget(client, previous)


def _forget(client: docker.DockerClient, image_id: str) -> None:
    """Remove an image a rebuild replaced, unless something still uses it."""
    from docker.errors import APIError

    # a container or another tag still using it keeps it
    with contextlib.suppress(APIError):
        client.images.remove(image_id, noprune=False)


def _size(client: docker.DockerClient, tag: str) -> int:
    return int(client.images.get(tag).attrs.get("Size", 0))


class Builder:
    """Builds local images on one engine for one stack."""

    def __init__(self, ctx: StackContext, say: Callable[[str], None] = print,
                 client: docker.DockerClient | None = None) -> None:
        self.ctx = ctx
        self.say = say
        self.client = client or engine(timeout=600)
        self.work = cache_dir(ctx)
        self.shop = Workshop(ctx, self.work, say)

    def base(self, force: bool = False) -> Built:
        """The Debian base, made when missing or when its sources changed."""
        started = time.monotonic()
        content = debian.recipe_hash(debian.apt_sources())
        tag = debian.BASE_TAG
        if force or labelled_hash(self.client, tag) != content:
            previous = _image_id(self.client, tag)
            debian.build_base(self.client, self.work, HASH_LABEL, content, self.say)
            if previous and previous != _image_id(self.client, tag):
                _forget(self.client, previous)
            action = "built"
        else:
            action = "up to date"
        return Built(tag, action, time.monotonic() - started, _size(self.client, tag))

    def image(self, recipe: Recipe, force: bool = False) -> Built:
        """One local image, built when missing or when anything it is made of changed."""
        started = time.monotonic()
        base_id = _image_id(self.client, debian.BASE_TAG)
        if base_id is None:
            self.base()
            base_id = _image_id(self.client, debian.BASE_TAG) or ""
        files = recipe.context(self.shop)
        content = content_hash(recipe, files, base_id)
        if force or labelled_hash(self.client, recipe.tag) != content:
            self.say(f"{recipe.tag}: building")
            self.work.mkdir(parents=True, exist_ok=True)
            _build(self.client, recipe, files, self.work, content, self.say)
            action = "built"
        else:
            action = "up to date"
        return Built(recipe.tag, action, time.monotonic() - started,
                     _size(self.client, recipe.tag))

    def build(self, names: list[str] | None = None, force: bool = False) -> list[Built]:
        """The base, then the images called `names` (every one when none)."""
        names = names or []
        wanted = [n for n in names if n != "debian"]
        recipes = by_name(wanted) if wanted or not names else []
        results = [self.base(force and (not names or "debian" in names))]
        results += [self.image(recipe, force) for recipe in recipes]
        return results
