"""dytt's runtime dependencies as wheels, fetched by this machine's pip (which trusts this
machine's certificates and proxies) so that building the app image needs no package index."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path

from stack.errors import ImageBuildFailed
from stack.state import PROJECT_ROOT

# the interpreter of the app image: Debian bookworm's
IMAGE_PYTHON = (3, 11)
DONE = ".complete"


def requirements(pyproject: Path = PROJECT_ROOT / "pyproject.toml") -> list[str]:
    """The project's runtime dependencies (not its dev extras)."""
    with pyproject.open("rb") as f:
        return list(tomllib.load(f)["project"]["dependencies"])


def wheelhouse(cache: Path, say: Callable[[str], None]) -> Path:
    """A directory with every runtime dependency as a wheel and their `requirements.txt`;
    fetched once per set of requirements."""
    wanted = requirements()
    key = hashlib.sha256("\n".join([*wanted, repr(IMAGE_PYTHON)]).encode()).hexdigest()[:16]
    done = cache / "wheels" / key
    if (done / DONE).exists():
        return done
    if sys.version_info[:2] != IMAGE_PYTHON:
        version = ".".join(map(str, IMAGE_PYTHON))
        raise ImageBuildFailed(f"the app image runs Python {version}; fetch its wheels with a "
                               f"Python {version} virtualenv (this is {sys.version.split()[0]})")
    staging = done.with_name(key + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    (staging / "requirements.txt").write_text("".join(r + "\n" for r in wanted))
    say(f"fetching {len(wanted)} requirements and their dependencies as wheels")
    argv = ["nice", "-n", "10", sys.executable, "-m", "pip", "wheel", "--quiet",
            "--wheel-dir", str(staging), "-r", str(staging / "requirements.txt")]
    result = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                            check=False)
    if result.returncode != 0:
        tail = " | ".join(result.stderr.strip().splitlines()[-3:])
        raise ImageBuildFailed(f"pip wheel exited {result.returncode}: {tail}")
    (staging / DONE).touch()
    shutil.rmtree(done, ignore_errors=True)
    staging.rename(done)
    return done
