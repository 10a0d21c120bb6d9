"""A toy stack of small Python servers, to test the machinery without the real servers."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from stack.definition import load_definition
from stack.ports import free_ports
from stack.state import StackContext

# A TCP server that forks a child (to prove the whole process group is stopped), prints a line
# and serves (an empty HTTP 200 to any request) until signalled; IGNORE_TERM makes it ignore
# SIGTERM to force the SIGKILL path.
SERVER = textwrap.dedent(
    """
    import os, signal, socket, sys, time
    port, mode = int(sys.argv[1]), sys.argv[2]
    if mode == "ignore-term":
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    if mode == "crash":
        print("toy: fatal: cannot open the thing", flush=True)
        sys.exit(3)
    child = os.fork()
    if child == 0:
        if mode == "ignore-term":
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
        time.sleep(3600)
        os._exit(0)
    print(f"toy: child {child}", flush=True)
    if mode == "never-ready":
        print("toy: warming up forever", flush=True)
        time.sleep(3600)
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen()
    print("toy: listening", flush=True)
    if mode == "crash-later":
        time.sleep(0.5)
        print("toy: fatal: lost the thing", flush=True)
        sys.exit(3)
    while True:
        conn, _ = sock.accept()
        # an HTTP answer to whoever asks (http checks); a bare connect (tcp checks) gets none
        try:
            conn.settimeout(1)
            if conn.recv(4096):
                conn.sendall(b"HTTP/1.0 200 OK\\r\\nContent-Length: 0\\r\\n\\r\\n")
        except OSError:
            pass
        conn.close()
    """
)

ToyStack = Callable[..., StackContext]


@pytest.fixture
def toy_stack(tmp_path: Path) -> ToyStack:
    """A factory of stacks with one toy component `toy` (and optionally a dependent `app`)."""
    script = tmp_path / "toy_server.py"
    script.write_text(SERVER)

    def make(mode: str = "normal", *, ready_timeout: float = 10, stop_timeout: float = 5,
             with_app: bool = False, check: str = "tcp",
             environ: dict[str, str] | None = None) -> StackContext:
        def component(name: str, port: int, deps: list[str]) -> str:
            return textwrap.dedent(
                f"""
                [components.{name}]
                kind = "infra"
                ports = {{ main = {port} }}
                depends_on = {deps!r}
                stop_timeout = {stop_timeout}
                ready = {{ check = "{check}", timeout = {ready_timeout}, interval = 0.05 }}
                native.binary = "{sys.executable}"
                native.command = ["{sys.executable}", "{script}", "{{port}}", "{mode}"]
                """
            )

        toy_port, app_port = free_ports(2)
        text = component("toy", toy_port, [])
        if with_app:
            text += component("app", app_port, ["toy"])
        base = tmp_path / "stack.toml"
        base.write_text(text)
        return StackContext(load_definition(None, environ or {}, base_file=base),
                            tmp_path / "home")

    return make
