"""Port preflight: is a port free, and if not, who holds it."""

from __future__ import annotations

import contextlib
import errno
import socket

import psutil


def is_free(host: str, port: int) -> bool:
    """Whether a listening socket could bind `host:port` now."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        # same option servers use, so a port in TIME_WAIT counts as free as it does for them
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno in (errno.EADDRINUSE, errno.EACCES):
                return False
            raise
    return True


def holder(port: int) -> str:
    """A description of the process listening on `port`, e.g. `mariadbd (pid 412)`."""
    try:
        conns = psutil.net_connections(kind="inet")
    except psutil.AccessDenied:
        return "another process (run as root to see which)"
    for conn in conns:
        if conn.laddr and conn.laddr.port == port and conn.status == psutil.CONN_LISTEN:
            if conn.pid is None:
                return "another process (not visible to this user)"
            name = "?"
            with contextlib.suppress(psutil.Error):
                name = psutil.Process(conn.pid).name()
            return f"{name} (pid {conn.pid})"
    return "another process"


def free_port(host: str = "127.0.0.1") -> int:
    """A port the kernel considers free right now (for tests and scaling)."""
    return free_ports(1, host)[0]


def free_ports(count: int, host: str = "127.0.0.1") -> list[int]:
    """`count` distinct ports free right now: all are held at once while they are picked (one
    at a time, the kernel may hand out the same port twice)."""
    with contextlib.ExitStack() as stack:
        ports = []
        for _ in range(count):
            sock = stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
            sock.bind((host, 0))
            ports.append(int(sock.getsockname()[1]))
        return ports
