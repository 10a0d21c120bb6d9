"""`python -m gateway`: serve the REST API until SIGTERM, then deregister and drain."""

from __future__ import annotations

import logging
import socket
import threading
import time
from types import FrameType

import uvicorn

from gateway.app import create_app
from gateway.settings import GatewaySettings
from services.mesh import tracing
from services.mesh.registry import Registration, format_address, instance_info
from services.mesh.runtime import freeze_startup_heap, init_process

log = logging.getLogger("dytt.gateway")


def main() -> None:
    """Run the gateway with the settings from the environment."""
    settings = GatewaySettings()  # type: ignore[call-arg]
    init_process(settings)
    app = create_app(settings)
    config = uvicorn.Config(
        app, host=settings.host, port=settings.port, log_config=None,
        access_log=False, timeout_graceful_shutdown=int(settings.drain_timeout),
    )
    server = uvicorn.Server(config)
    info = instance_info(settings.name, settings.instance_id,
                         format_address(settings.advertised_host(), settings.port),
                         settings.version,
                         kind="http")
    registration = Registration(settings.etcd_endpoints, info, settings.registry_ttl)
    original_exit = server.handle_exit

    def drain(sig: int, frame: FrameType | None) -> None:
        # leave the registry before draining, so nobody is sent here while we stop; then keep
        # serving a moment with `Connection: close`, so that busy clients move to another
        # gateway between two requests instead of racing our closing of idle connections
        registration.stop()
        app.state.draining = True
        time.sleep(settings.drain_delay)
        original_exit(sig, frame)

    def handle_exit(sig: int, frame: FrameType | None) -> None:
        # the signal handler runs on the event loop's thread: leaving the registry waits on
        # etcd (over a second while it is away), which would stall every request in flight
        threading.Thread(target=drain, args=(sig, frame), name="drain", daemon=True).start()

    server.handle_exit = handle_exit  # type: ignore[method-assign]
    # listening before registering, so nobody is sent here too early. Under the supervisor every
    # gateway accepts from the one socket it hands over, so a replacement takes over the same
    # accept queue while this one drains; alone, SO_REUSEPORT lets a second gateway bind beside
    sock = (socket.socket(fileno=settings.listen_fd) if settings.listen_fd is not None
            else listening_socket(settings.host, settings.port))
    registration.start()
    freeze_startup_heap()
    log.info("serving", extra={"address": info.address})
    server.run(sockets=[sock])
    tracing.flush()


def listening_socket(host: str, port: int) -> socket.socket:
    """A TCP socket listening on host:port that other gateways may share (when no supervisor
    hands one over)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


if __name__ == "__main__":
    main()
