"""The native provider: each component is a child process in its own session and process group.

Processes outlive the `dyttctl` that started them; a JSON record per component in the state
dir's `run/` keeps pid and process start time, so a reused pid is never mistaken for ours.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import psutil

from stack.definition import Component, NativeSpec
from stack.errors import BinaryMissing, DefinitionError, StartFailed
from stack.providers.base import Instance, tail_file
from stack.state import StackContext
from stack.wiring import service_env

# The fd under which a gateway process finds its listening socket.
LISTEN_FD = 3
# Listening sockets this process created for gateways, by address (see NativeProvider.start).
_listeners: dict[tuple[str, int], socket.socket] = {}

# Where `dyttctl install` and Debian put programs that are not always on PATH.
EXTRA_BIN_DIRS = ("/usr/sbin", "/sbin", "~/go/bin")


def find_binary(name: str, ctx: StackContext | None = None) -> str | None:
    """The absolute path of program `name`, looking beyond PATH where installs put things."""
    dirs = [str(ctx.bin_dir)] if ctx else []
    dirs += [os.environ.get("PATH", ""), *(os.path.expanduser(d) for d in EXTRA_BIN_DIRS)]
    gobin = os.environ.get("GOBIN")
    if gobin:
        dirs.append(gobin)
    return shutil.which(name, path=os.pathsep.join(dirs))


def _alive(pid: int, create_time: float) -> psutil.Process | None:
    try:
        proc = psutil.Process(pid)
        if abs(proc.create_time() - create_time) > 1.0 or proc.status() == psutil.STATUS_ZOMBIE:
            return None
        return proc
    except psutil.Error:
        return None


def _group_members(pgid: int) -> list[int]:
    members = []
    for proc in psutil.process_iter(["pid"]):
        try:
            if os.getpgid(proc.pid) == pgid and proc.status() != psutil.STATUS_ZOMBIE:
                members.append(proc.pid)
        except (ProcessLookupError, psutil.Error):
            continue
    return members


def _reap(pid: int, timeout: float = 5.0) -> None:
    """Wait for child `pid` to end and collect it; nothing to do for other processes' children.

    Polled rather than a blocking waitpid: a process stuck in the kernel must not hang a stop.
    """
    deadline = time.monotonic() + timeout
    while True:
        try:
            done, _status = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            return  # not ours, or reaped already (by the supervisor's monitor)
        if done or time.monotonic() > deadline:
            return
        time.sleep(0.02)


class NativeProvider:
    """Runs components as local processes."""

    name = "native"
    binds_ports = True

    def _spec(self, comp: Component) -> NativeSpec:
        if comp.native is None:
            raise DefinitionError(f"{comp.name} has no [native] section: it cannot run natively")
        return comp.native

    def _argv(self, ctx: StackContext, comp: Component, template: list[str]) -> list[str]:
        argv = [ctx.render(comp, part) for part in template]
        binary = find_binary(argv[0], ctx)
        if binary is None:
            raise BinaryMissing(
                f"{comp.name}: program {argv[0]!r} is not installed (run `dyttctl install`)"
            )
        return [binary, *argv[1:]]

    def _env(self, ctx: StackContext, comp: Component) -> dict[str, str]:
        env = dict(os.environ)
        env.update(service_env(ctx, comp))
        env.update({k: ctx.render(comp, v) for k, v in self._spec(comp).env.items()})
        return env

    def _initialise(self, ctx: StackContext, comp: Component, log: Path) -> None:
        spec = self._spec(comp)
        if not spec.init:
            return
        marker = ctx.data_dir(comp) / (spec.init_marker or "")
        if spec.init_marker and marker.exists():
            return
        argv = self._argv(ctx, comp, spec.init)
        with log.open("ab") as out:
            result = subprocess.run(
                argv, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                env=self._env(ctx, comp), check=False,
            )
        if result.returncode != 0:
            raise StartFailed(
                f"{comp.name}: initialisation `{' '.join(argv[:2])}` exited {result.returncode}; "
                f"last lines of {log}:\n{tail_file(log, 10)}"
            )

    def start(self, ctx: StackContext, comp: Component) -> None:
        """Initialise the data dir if needed, then spawn the server detached from us."""
        spec = self._spec(comp)
        ctx.ensure_dirs()
        # only the server's own user reads its data (etcd warns otherwise)
        ctx.data_dir(comp).mkdir(parents=True, exist_ok=True)
        ctx.data_dir(comp).chmod(0o700)
        log = ctx.log_file(comp)
        argv = self._argv(ctx, comp, spec.command)
        self._initialise(ctx, comp, log)
        env = self._env(ctx, comp)
        listener = None
        if comp.kind == "gateway":
            # every gateway process of the stack accepts from one listening socket (fd 3): a
            # replacement takes connections from the same queue the old one stops reading, so
            # a rolling restart resets none
            listener = self._listener(ctx, comp)
            env["DYTT_SVC_LISTEN_FD"] = str(LISTEN_FD)
        with log.open("ab") as out:
            out.write(f"\n--- dyttctl: starting {comp.unit} at {time.ctime()} ---\n".encode())
            out.flush()
            pid = self._spawn(argv, env, out.fileno(), comp, listener)
        record = {
            "pid": pid,
            "create_time": psutil.Process(pid).create_time(),
            "started_at": time.time(),
            "command": argv,
        }
        ctx.record_file(comp).write_text(json.dumps(record, indent=2))

    @staticmethod
    def _listener(ctx: StackContext, comp: Component) -> socket.socket:
        address = (ctx.host(comp), comp.port)
        sock = _listeners.get(address)
        if sock is None or sock.fileno() == -1:
            family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
            sock = socket.socket(family, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            # a supervisor started later (the first was killed) can still bind beside gateways
            # that hold an earlier supervisor's socket
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            try:
                sock.bind(address)
            except OSError as exc:
                sock.close()
                raise StartFailed(f"{comp.unit}: cannot listen on {address[0]}:{address[1]}: "
                                  f"{exc.strerror}") from exc
            sock.listen(2048)
            _listeners[address] = sock
        return sock

    def release(self, ctx: StackContext, comp: Component) -> None:
        """Close this process's copy of the component's listening socket (if it holds one), so
        the port is free once the last process using it has stopped."""
        sock = _listeners.pop((ctx.host(comp), comp.port), None)
        if sock is not None:
            sock.close()

    @staticmethod
    def _spawn(argv: list[str], env: dict[str, str], log_fd: int, comp: Component,
               listener: socket.socket | None = None) -> int:
        """Spawn `argv` in a session of its own, output to `log_fd`; its pid.

        posix_spawn rather than Popen: the server outlives this process and nobody here
        will wait for it, which is what a Popen object would promise.
        """
        actions = [
            (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
            (os.POSIX_SPAWN_DUP2, log_fd, 1),
            (os.POSIX_SPAWN_DUP2, log_fd, 2),
        ]
        spare = None
        if listener is not None:
            # dup2 onto itself would keep close-on-exec: hand over a copy under another number
            spare = os.dup(listener.fileno()) if listener.fileno() == LISTEN_FD else None
            actions.append((os.POSIX_SPAWN_DUP2, spare or listener.fileno(), LISTEN_FD))
        try:
            return os.posix_spawn(argv[0], argv, env, file_actions=actions, setsid=True)
        except OSError as exc:
            raise StartFailed(f"{comp.name}: cannot run {argv[0]}: {exc.strerror}") from exc
        finally:
            if spare is not None:
                os.close(spare)

    def _record(self, ctx: StackContext, comp: Component) -> dict | None:
        try:
            return json.loads(ctx.record_file(comp).read_text())
        except (FileNotFoundError, ValueError):
            return None

    def inspect(self, ctx: StackContext, comp: Component) -> Instance:
        """Running if the recorded process is alive and is the one we started."""
        record = self._record(ctx, comp)
        if record is None:
            return Instance(False)
        if _alive(record["pid"], record["create_time"]) is None:
            return Instance(False, detail="exited")
        return Instance(True, pid=record["pid"], started_at=record["started_at"])

    def stop(self, ctx: StackContext, comp: Component) -> bool:
        """Signal the process group, wait up to the stop timeout, then SIGKILL what is left."""
        record = self._record(ctx, comp)
        if record is None:
            return False
        pid = record["pid"]
        was_running = _alive(pid, record["create_time"]) is not None
        if was_running:
            self._continue_if_stopped(pid)
            # the process leads its own group (start_new_session), so pgid == pid
            self._signal_group(pid, getattr(signal, comp.stop_signal))
            deadline = time.monotonic() + comp.stop_timeout
            while time.monotonic() < deadline and _group_members(pid):
                time.sleep(0.1)
            if _group_members(pid):
                self._signal_group(pid, signal.SIGKILL)
                deadline = time.monotonic() + 5
                while time.monotonic() < deadline and _group_members(pid):
                    time.sleep(0.05)
        else:
            # the leader died but helpers it forked may still hold the group
            self._signal_group(pid, signal.SIGKILL)
        # reap it when this very process started it (tests, a supervisor): not a zombie, and its
        # ports are closed once this returns
        _reap(pid)
        ctx.record_file(comp).unlink(missing_ok=True)
        return was_running

    @classmethod
    def _continue_if_stopped(cls, pgid: int) -> None:
        """SIGCONT a stopped group (SIGSTOP, Ctrl-Z), which cannot act on its stop signal.

        And a moment before that signal: sent to a process still waking up it may go to any
        of its threads, and a Python main thread blocked in a wait then never runs the handler
        (a Python process with busy threads missed it 3 times in 5 when signalled while
        stopped, 1 in 5 right after SIGCONT, 0 in 15 after this pause).
        """
        stopped = False
        for pid in _group_members(pgid):
            with contextlib.suppress(psutil.Error):
                stopped |= psutil.Process(pid).status() == psutil.STATUS_STOPPED
        if stopped:
            cls._signal_group(pgid, signal.SIGCONT)
            time.sleep(0.05)

    @staticmethod
    def _signal_group(pgid: int, sig: signal.Signals) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pgid, sig)

    def log_tail(self, ctx: StackContext, comp: Component, lines: int = 15) -> str:
        """The end of the component's log file."""
        return tail_file(ctx.log_file(comp), lines)
