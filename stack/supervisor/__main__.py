"""`python -m stack.supervisor --home HOME`: the stack's supervisor daemon (`dyttctl up` runs it).

It adopts the stack's running processes, watches them, renews their certificates, and serves
the control API until a full `dyttctl down` (or SIGTERM, which leaves the stack running for the
next supervisor to adopt).
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import signal
import threading
from pathlib import Path

from stack.definition import load_definition
from stack.state import StackContext
from stack.supervisor.control import ControlServer, socket_path
from stack.supervisor.core import Supervisor
from stack.supervisor.renewal import Renewer


def main() -> None:
    """Run until the stack is taken down or SIGTERM."""
    parser = argparse.ArgumentParser(prog="python -m stack.supervisor")
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--config", type=Path)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # one line per readiness probe would bury what the supervisor has to say
    logging.getLogger("httpx").setLevel(logging.WARNING)
    ctx = StackContext(load_definition(args.config or args.home / "dytt.toml", dict(os.environ)),
                       args.home)
    ctx.ensure_dirs()
    supervisor = Supervisor(ctx)
    supervisor.adopt_all()
    supervisor.start_monitor()
    # a week-long run must not outlive its 7-day certificates
    renewer = Renewer.of(ctx, supervisor._event)
    renewer.start()
    server = ControlServer(supervisor, socket_path(ctx))
    threading.Thread(target=server.serve_forever, name="control", daemon=True).start()
    stopping = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stopping.set())
    logging.getLogger("dytt.supervisor").info("supervising %s (pid %d)", ctx.home, os.getpid())
    path = socket_path(ctx)
    ours = path.stat().st_ino
    while not (stopping.wait(0.2) or server.finished.is_set()):
        pass
    # no more requests first: a new supervisor must not find this one still answering
    server.shutdown()
    server.server_close()
    with contextlib.suppress(FileNotFoundError):
        if path.stat().st_ino == ours:
            path.unlink()
    renewer.close()
    supervisor.close()


if __name__ == "__main__":
    main()
