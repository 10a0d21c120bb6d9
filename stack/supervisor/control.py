"""The supervisor's control API: JSON lines over a unix socket in the state dir.

A client sends one request line, `{"op": ..., "args": {...}}`, and reads lines back until the
last: zero or more `{"progress": [unit, event]}`, then `{"ok": true, "result": ...}` or
`{"ok": false, "error": message}`. The socket is the operator's (mode 0600).
"""

from __future__ import annotations

import json
import os
import socket
import socketserver
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from stack import orchestrator
from stack.errors import StackError
from stack.orchestrator import ComponentStatus, Progress
from stack.readiness import probe
from stack.state import StackContext
from stack.supervisor.core import Supervisor
from stack.supervisor.renewal import renewals


def socket_path(ctx: StackContext) -> Path:
    """Where the stack's supervisor listens."""
    return ctx.run_dir / "supervisor.sock"


class SupervisorUnavailable(StackError):
    """No supervisor answers on the stack's socket."""


class ControlServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    """Serves the operations of one Supervisor until `shutdown`."""

    daemon_threads = True

    def __init__(self, supervisor: Supervisor, path: Path) -> None:
        path.unlink(missing_ok=True)
        super().__init__(str(path), _Handler)
        os.chmod(path, 0o600)
        self.supervisor = supervisor
        self.finished = threading.Event()
        self.exit_requested = False

    def operations(self) -> dict[str, Callable[..., Any]]:
        sup = self.supervisor
        return {
            "ping": lambda progress: {"pid": os.getpid(), "home": str(sup.ctx.home)},
            "status": lambda progress: {"units": sup.status(), "events": list(sup.events)},
            "up": lambda progress, names=None: sup.up(names, progress),
            "down": self._down,
            "start": lambda progress, name: sup.start(name, progress),
            "stop": lambda progress, name: sup.stop(name, progress),
            "restart": lambda progress, name: sup.restart(name, progress),
            "scale": lambda progress, name, count: sup.scale(name, int(count), progress),
            # when each certificate (and the CRL) is renewed next, read from the PKI store
            "renewals": lambda progress: renewals(sup.ctx),
        }

    def _down(self, progress: Progress, names: list[str] | None = None) -> None:
        self.supervisor.down(names, progress)
        if not names:
            # the whole stack is down: so is its supervisor, once this answer is sent
            self.exit_requested = True


class _Handler(socketserver.StreamRequestHandler):
    server: ControlServer

    def handle(self) -> None:
        lock = threading.Lock()

        def send(doc: dict[str, Any]) -> None:
            with lock:
                self.wfile.write(json.dumps(doc).encode() + b"\n")
                self.wfile.flush()

        try:
            request = json.loads(self.rfile.readline() or b"{}")
            operation = self.server.operations()[request["op"]]
        except (ValueError, KeyError, TypeError):
            send({"ok": False, "error": "malformed request"})
            return
        try:
            result = operation(lambda unit, event: send({"progress": [unit, event]}),
                               **request.get("args", {}))
        except StackError as exc:
            send({"ok": False, "error": str(exc)})
        except TypeError as exc:
            send({"ok": False, "error": f"bad arguments for {request['op']}: {exc}"})
        except Exception as exc:  # a bug in the supervisor must not kill it nor hang the client
            self.server.supervisor._event("supervisor", f"{request['op']} failed: {exc!r}")
            send({"ok": False, "error": f"{request['op']} failed: {exc}"})
        else:
            send({"ok": True, "result": result})
        if self.server.exit_requested:
            self.server.finished.set()


class SupervisorClient:
    """Talks to the stack's supervisor."""

    def __init__(self, ctx: StackContext, timeout: float = 600.0) -> None:
        self.path = socket_path(ctx)
        self.timeout = timeout

    def call(self, op: str, progress: Progress | None = None, **args: Any) -> Any:
        """Run `op` in the supervisor; its result. StackError with its message on failure."""
        try:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(self.timeout)
            sock.connect(str(self.path))
        except OSError as exc:
            sock.close()
            raise SupervisorUnavailable(
                f"no supervisor at {self.path} ({exc.strerror or exc}): run `dyttctl up`"
            ) from exc
        with sock, sock.makefile("rwb") as stream:
            stream.write(json.dumps({"op": op, "args": args}).encode() + b"\n")
            stream.flush()
            for line in stream:
                doc = json.loads(line)
                if "progress" in doc:
                    if progress is not None:
                        progress(*doc["progress"])
                    continue
                if doc.get("ok"):
                    return doc.get("result")
                raise StackError(doc.get("error", "the supervisor failed"))
        raise StackError("the supervisor closed the connection without an answer")

    def alive(self) -> bool:
        """Whether a supervisor answers."""
        try:
            self.call("ping")
        except StackError:
            return False
        return True


def stack_status(ctx: StackContext) -> list[ComponentStatus]:
    """`orchestrator.status` with what the supervisor knows: units, restarts, replacements."""
    rows = orchestrator.status(ctx)
    client = SupervisorClient(ctx, timeout=10)
    units: list[dict[str, Any]] = client.call("status")["units"] if client.alive() else []
    for row in rows:
        row.extra["units"] = mine = [u for u in units if u["component"] == row.name]
        row.extra["restarts"] = sum(u["restarts"] for u in mine)
        running = [u for u in mine if u["state"] == "running"]
        if mine:
            # where its processes really listen: instances move to new ports on restarts
            row.extra["addresses"] = [u["address"] for u in mine if u.get("address")]
            live = running or mine
            comp = ctx.definition.components[row.name].as_instance(live[0]["instance"],
                                                                    live[0]["port"])
            row.endpoints = orchestrator.endpoints(ctx, comp)
        elif isinstance(registered := row.extra.get("instances"), list) and registered:
            # no supervisor to ask: a service's registration in etcd says where it listens
            scheme = row.endpoints["main"].split("://", 1)[0]
            row.endpoints["main"] = f"{scheme}://{registered[0]['address']}"
        if running and row.state == "stopped":
            # replaced by further instances (a rolling restart): the component still runs
            first = running[0]
            comp = ctx.definition.components[row.name].as_instance(first["instance"],
                                                                    first["port"])
            row.state, row.pid, row.health = "running", first["pid"], str(probe(ctx, comp))
            row.started_at = first["started_at"]
            row.uptime_s = time.time() - first["started_at"] if first["started_at"] else None
    return rows
