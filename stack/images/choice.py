"""Which image a component runs: the official one or the local stand-in (`stack.images`).

    official  the official image only (pulled when missing)
    local     the local stand-in only (`dyttctl images build`)
    auto      the official image when it is here, else the local one when it is here, else
              the official one if it can be pulled, else the local one, built

Both kinds take the same environment and command (the stand-ins are made to), so the stack's
definition does not change with the choice. dytt's own processes have no official image.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from stack.definition import Component, DockerSpec
from stack.errors import DefinitionError, StartFailed
from stack.images.catalog import recipe_for
from stack.images.engine import engine
from stack.state import StackContext

if TYPE_CHECKING:
    import docker


def _spec(comp: Component) -> DockerSpec:
    if comp.docker is None:
        raise DefinitionError(f"{comp.name} has no [docker] section: it cannot run in docker")
    return comp.docker


def candidates(ctx: StackContext, comp: Component) -> tuple[str | None, str | None]:
    """The official and the local image `stack.images` allows for `comp` (None: not allowed)."""
    spec, mode = _spec(comp), ctx.definition.stack.images
    return (spec.image if mode != "local" else None,
            spec.local_image if mode != "official" else None)


def present(client: docker.DockerClient, tag: str) -> bool:
    """Whether the engine has image `tag`."""
    from docker.errors import ImageNotFound

    try:
        client.images.get(tag)
        return True
    except ImageNotFound:
        return False


def _pull(client: docker.DockerClient, tag: str) -> str | None:
    """Pull `tag`; why it failed, or None."""
    from docker.errors import DockerException

    try:
        client.images.pull(tag)
        return None
    except DockerException as exc:
        return str(getattr(exc, "explanation", None) or exc).splitlines()[0][:160]


def pick(ctx: StackContext, comp: Component, client: docker.DockerClient) -> str:
    """The image `comp` runs, pulling the official one when that is the only way."""
    official, local = candidates(ctx, comp)
    for tag in (official, local):
        if tag and present(client, tag):
            return tag
    reason = _pull(client, official) if official else "no official image"
    if reason is None:
        return official  # type: ignore[return-value]
    if local:
        raise StartFailed(f"{comp.name}: image {local} is not built (and {official or 'none'}: "
                          f"{reason}); run `dyttctl images build`")
    raise StartFailed(f"{comp.name}: cannot pull {official}: {reason}")


def ensure(ctx: StackContext, comps: Iterable[Component], say: Callable[[str], None],
           client: docker.DockerClient | None = None) -> None:
    """Make sure every image `comps` run is here and current: local ones are (re)built when
    their inputs changed (dytt's code, for the app image), official ones pulled if needed."""
    from stack.images.builder import Builder

    client = client or engine()
    builder: Builder | None = None
    done: set[str] = set()
    for comp in comps:
        official, local = candidates(ctx, comp)
        if official and present(client, official):
            continue
        if local and local not in done and (present(client, local) or not official
                                            or _pull(client, official) is not None):
            builder = builder or Builder(ctx, say, client)
            built = builder.image(recipe_for(local))
            if built.action == "built":
                say(f"{built.tag}: built in {built.seconds:.1f}s")
            done.add(local)
        elif not local:
            pick(ctx, comp, client)


@dataclass(frozen=True)
class Row:
    """One line of `dyttctl images list`."""

    component: str
    official: str | None
    local: str | None
    runs: str | None
    size: int

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def overview(ctx: StackContext) -> list[Row]:
    """For every component that can run in docker: its images and the one it would run now."""
    client = engine()
    rows = []
    for comp in ctx.definition.select(None):
        if comp.docker is None:
            continue
        official, local = candidates(ctx, comp)
        runs = next((t for t in (official, local) if t and present(client, t)), None)
        size = int(client.images.get(runs).attrs.get("Size", 0)) if runs else 0
        rows.append(Row(comp.name, comp.docker.image, comp.docker.local_image, runs, size))
    return rows
