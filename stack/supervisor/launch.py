"""Starting the supervisor daemon of a stack, once."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from stack.errors import StackError
from stack.providers.base import tail_file
from stack.state import StackContext
from stack.supervisor.control import SupervisorClient


def ensure_supervisor(ctx: StackContext, config: Path | None = None,
                      environ: dict[str, str] | None = None,
                      timeout: float = 15.0) -> SupervisorClient:
    """The client of the stack's supervisor, started (detached) if none answers."""
    client = SupervisorClient(ctx)
    if client.alive():
        return client
    ctx.ensure_dirs()
    log = ctx.log_dir / "supervisor.log"
    argv = [sys.executable, "-m", "stack.supervisor", "--home", str(ctx.home)]
    if config is not None:
        argv += ["--config", str(config)]
    with log.open("ab") as out:
        out.write(f"\n--- dyttctl: starting the supervisor at {time.ctime()} ---\n".encode())
        out.flush()
        # its own session: it outlives this dyttctl and is not hit by the terminal's Ctrl-C
        os.posix_spawn(argv[0], argv, dict(environ if environ is not None else os.environ),
                       file_actions=[(os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
                                     (os.POSIX_SPAWN_DUP2, out.fileno(), 1),
                                     (os.POSIX_SPAWN_DUP2, out.fileno(), 2)],
                       setsid=True)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if client.alive():
            return client
        time.sleep(0.1)
    raise StackError(f"the supervisor did not start within {timeout:g}s; "
                     f"last lines of {log}:\n{tail_file(log, 15)}")
