"""The state dir: where the stack keeps data, logs, run records, secrets and certificates."""

from __future__ import annotations

import fcntl
import getpass
import json
import os
import secrets as _secrets
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from pki.store import atomic_write
from services.mesh.registry import format_address
from stack.definition import Component, StackDefinition
from stack.errors import DefinitionError

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def default_home() -> Path:
    """`$DYTT_HOME`, else `.dytt/` in the project."""
    env = os.environ.get("DYTT_HOME")
    return Path(env).resolve() if env else PROJECT_ROOT / ".dytt"


# Generated once per state dir: a fresh machine never runs with a published default secret.
_SECRET_FACTORIES = {
    "mysql_password": lambda: _secrets.token_urlsafe(18),
    "mysql_root_password": lambda: _secrets.token_urlsafe(18),
    "minio_root_user": lambda: "dytt-" + _secrets.token_hex(4),
    "minio_root_password": lambda: _secrets.token_urlsafe(24),
    # the services' own MinIO account: the media bucket only, never the root credentials
    "minio_media_user": lambda: "dytt-media-" + _secrets.token_hex(4),
    "minio_media_password": lambda: _secrets.token_urlsafe(24),
    # the demo accounts of `dyttctl seed`
    "seed_password": lambda: _secrets.token_urlsafe(12)[:16],
}
_SECRETS_LOCK = threading.Lock()


@dataclass(frozen=True)
class StackContext:
    """A stack definition bound to a state dir: everything a provider needs to act."""

    definition: StackDefinition
    home: Path

    @property
    def bin_dir(self) -> Path:
        """Programs and jars fetched by `dyttctl install` (shared by every state dir)."""
        configured = self.definition.stack.bin_dir
        return Path(configured).expanduser() if configured else PROJECT_ROOT / ".dytt" / "bin"

    @property
    def run_dir(self) -> Path:
        return self.home / "run"

    @property
    def log_dir(self) -> Path:
        return self.home / "logs"

    @property
    def secrets_file(self) -> Path:
        return self.home / "secrets.json"

    def data_dir(self, comp: Component) -> Path:
        """The component's data dir (absolute), whether or not it declares one."""
        return self.home / (comp.data_dir or f"data/{comp.name}")

    def log_file(self, comp: Component) -> Path:
        """What the process of `comp` writes to stdout and stderr."""
        return self.log_dir / f"{comp.unit}.log"

    def record_file(self, comp: Component) -> Path:
        """The run record (pid, start time) of the process of `comp`."""
        return self.run_dir / f"{comp.unit}.json"

    def ensure_dirs(self) -> None:
        """Create the state dir's folders."""
        for path in (self.home, self.run_dir, self.log_dir):
            path.mkdir(parents=True, exist_ok=True)

    def secrets(self) -> dict[str, str]:
        """The stack's secrets: generated on first use, stored 0600, overridable by config."""
        # one generation only: components start in parallel (threads) and dyttctl and the
        # supervisor are two processes; two generations would start MinIO with one password
        # and bootstrap it with the other
        self.home.mkdir(parents=True, exist_ok=True)
        with _SECRETS_LOCK, (self.home / ".secrets.lock").open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            stored: dict[str, str] = {}
            if self.secrets_file.exists():
                stored = json.loads(self.secrets_file.read_text())
            missing = {k: make() for k, make in _SECRET_FACTORIES.items() if k not in stored}
            if missing:
                stored.update(missing)
                atomic_write(self.secrets_file, json.dumps(stored, indent=2).encode(), 0o600)
        return {**stored, **self.definition.secrets}

    def host(self, comp: Component) -> str:
        return self.definition.host_of(comp)

    def endpoint(self, comp: Component, port: str = "main", scheme: str | None = None) -> str:
        """`scheme://host:port` of one of the component's ports."""
        scheme = scheme or {"sql": "mysql", "grpc": "grpc"}.get(comp.ready.check, "http")
        return f"{scheme}://{format_address(self.host(comp), comp.ports[port])}"

    def template_context(self, comp: Component) -> dict[str, Any]:
        """The names a command template of `comp` may use."""
        return {
            "name": comp.name,
            "home": str(self.home),
            "data_dir": str(self.data_dir(comp)),
            "run_dir": str(self.run_dir),
            "log_file": str(self.log_file(comp)),
            "bin_dir": str(self.bin_dir),
            "host": self.host(comp),
            "port": comp.port,
            "ports": SimpleNamespace(**comp.ports),
            "params": SimpleNamespace(**comp.params),
            "secrets": SimpleNamespace(**self.secrets()),
            "os_user": getpass.getuser(),
            # services run with the interpreter (and virtualenv) that runs dyttctl
            "python": sys.executable,
        }

    def render(self, comp: Component, template: str) -> str:
        """Fill one command or environment template of `comp`."""
        try:
            return template.format(**self.template_context(comp))
        except (KeyError, AttributeError, IndexError) as exc:
            raise DefinitionError(
                f"{comp.name}: template {template!r} names unknown {exc}"
            ) from exc
