"""The base of every local image: Debian bookworm made with `debootstrap --variant=minbase` from
this machine's own apt mirror, then `docker import`ed as `dytt/debian:bookworm`."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from stack.errors import ImageBuildFailed

RELEASE = "bookworm"
BASE_TAG = f"dytt/debian:{RELEASE}"
FALLBACK_MIRROR = "http://deb.debian.org/debian"
SOURCES = (Path("/etc/apt/sources.list"), Path("/etc/apt/sources.list.d"))

# What makes a container image of a Debian system smaller and quieter than a machine's: no
# recommends, no documentation, no daemons started by package scripts.
APT_CONFIG = {
    "etc/apt/apt.conf.d/90dytt-container": (
        'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\n'
        'Acquire::Languages "none";\n'
    ),
    "etc/dpkg/dpkg.cfg.d/90dytt-nodoc": (
        "path-exclude /usr/share/doc/*\npath-include /usr/share/doc/*/copyright\n"
        "path-exclude /usr/share/man/*\npath-exclude /usr/share/info/*\n"
        "path-exclude /usr/share/locale/*\npath-exclude /usr/share/lintian/*\n"
    ),
    "usr/sbin/policy-rc.d": "#!/bin/sh\n# no service starts while an image is built\nexit 101\n",
}
PRUNE = ("var/cache/apt/archives", "var/lib/apt/lists", "usr/share/doc", "usr/share/man",
         "usr/share/info", "usr/share/locale", "var/log")
# emptied, but kept: the JRE's postinst fails without a man1 dir to link its manuals into
KEEP = ("usr/share/man/man1",)


@dataclass(frozen=True)
class AptSource:
    """One `deb` line: where, which suite, which components."""

    uri: str
    suite: str
    components: tuple[str, ...]

    def line(self) -> str:
        return f"deb {self.uri} {self.suite} {' '.join(self.components)}"


def _deb822(text: str) -> list[AptSource]:
    found = []
    for block in re.split(r"\n\s*\n", text):
        fields: dict[str, str] = {}
        for line in block.splitlines():
            if line.startswith("#") or ":" not in line:
                continue
            key, _, value = line.partition(":")
            fields[key.strip().lower()] = value.strip()
        if "deb" not in fields.get("types", "").split():
            continue
        for uri in fields.get("uris", "").split():
            for suite in fields.get("suites", "").split():
                found.append(AptSource(uri, suite, tuple(fields.get("components", "").split())))
    return found


def _one_line(text: str) -> list[AptSource]:
    found = []
    for line in text.splitlines():
        line = re.sub(r"\[[^]]*\]", "", line.split("#", 1)[0]).split()
        if len(line) >= 3 and line[0] == "deb":
            found.append(AptSource(line[1], line[2], tuple(line[3:])))
    return found


def apt_sources(places: tuple[Path, ...] = SOURCES) -> list[AptSource]:
    """This machine's Debian sources of the release (its own mirror, which answers here)."""
    files: list[Path] = []
    for place in places:
        files += sorted(place.iterdir()) if place.is_dir() else [place]
    sources: list[AptSource] = []
    for path in files:
        if not path.is_file():
            continue
        text = path.read_text(errors="replace")
        parse = _deb822 if path.suffix == ".sources" else _one_line
        sources += [s for s in parse(text) if s.suite.split("-")[0] == RELEASE]
    if not any(s.suite == RELEASE for s in sources):
        sources.insert(0, AptSource(FALLBACK_MIRROR, RELEASE, ("main",)))
    return sources


def recipe_hash(sources: list[AptSource]) -> str:
    """What the base is made of: the release, its sources and our configuration."""
    digest = hashlib.sha256(f"debootstrap minbase {RELEASE}\n".encode())
    for source in sources:
        digest.update(source.line().encode() + b"\n")
    for name, text in sorted(APT_CONFIG.items()):
        digest.update(f"{name}\n{text}".encode())
    digest.update(repr((PRUNE, KEEP)).encode())
    return digest.hexdigest()


def _run(argv: list[str], what: str) -> None:
    result = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                            check=False)
    if result.returncode != 0:
        tail = (result.stderr or result.stdout).strip().splitlines()[-3:]
        raise ImageBuildFailed(f"{what}: `{' '.join(argv[:4])} ...` exited "
                               f"{result.returncode}: {' | '.join(tail)}")


def make_rootfs(root: Path, sources: list[AptSource]) -> None:
    """A minimal bookworm in `root`, configured for containers and pruned."""
    if os.geteuid() != 0:
        raise ImageBuildFailed("the Debian base needs root (debootstrap); run as root: "
                               "dyttctl images build")
    if shutil.which("debootstrap") is None:
        raise ImageBuildFailed("debootstrap is not installed (run `dyttctl install --docker`)")
    mirror = next(s.uri for s in sources if s.suite == RELEASE)
    _run(["nice", "-n", "10", "debootstrap", "--variant=minbase", RELEASE, str(root), mirror],
         "debootstrap")
    (root / "etc/apt/sources.list").write_text("".join(s.line() + "\n" for s in sources))
    for name, text in APT_CONFIG.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        path.chmod(0o755 if name.startswith("usr/sbin") else 0o644)
    for name in PRUNE:
        target = root / name
        if target.is_dir():
            for child in target.iterdir():
                if child.is_dir() and not child.is_symlink():
                    shutil.rmtree(child)
                elif child.name != "lock":
                    child.unlink()
    for name in KEEP:
        (root / name).mkdir(parents=True, exist_ok=True)


def build_base(client: object, work: Path, label: str, content_hash: str,
               say: Callable[[str], None]) -> None:
    """Debootstrap, configure, then import the tree as BASE_TAG labelled with its hash."""
    sources = apt_sources()
    work.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=work, prefix="rootfs-") as tmp:
        root = Path(tmp) / "root"
        say(f"{BASE_TAG}: debootstrap --variant=minbase {RELEASE} from "
            f"{next(s.uri for s in sources if s.suite == RELEASE)}")
        make_rootfs(root, sources)
        tarball = Path(tmp) / "rootfs.tar"
        _run(["tar", "--numeric-owner", "-C", str(root), "-cf", str(tarball), "."], "tar")
        shutil.rmtree(root)
        say(f"{BASE_TAG}: docker import")
        repository, tag = BASE_TAG.split(":")
        client.api.import_image_from_file(  # type: ignore[attr-defined]
            str(tarball), repository=repository, tag=tag,
            changes=[f"LABEL {label}={content_hash}", 'CMD ["bash"]'],
        )
