"""`python -m gateway`: serve the REST API until SIGTERM, then deregister and drain."""

from __future__ import annotations

import logging

import uvicorn

from gateway.app import create_app
from gateway.settings import GatewaySettings
from services.common.registry import Registration, instance_info
from services.common.runtime import init_process

log = logging.getLogger("dytt.gateway")


def main() -> None:
    """Run the gateway with the settings from the environment."""
    settings = GatewaySettings()  # type: ignore[call-arg]
    init_process(settings)
    config = uvicorn.Config(
        create_app(settings), host=settings.host, port=settings.port, log_config=None,
        access_log=False, timeout_graceful_shutdown=int(settings.drain_timeout),
    )
    server = uvicorn.Server(config)
    host = f"[{settings.host}]" if ":" in settings.host else settings.host
    info = instance_info(settings.name, settings.instance_id, f"{host}:{settings.port}",
                         settings.version, f"spiffe://dytt/{settings.name}", kind="http")
    registration = Registration(settings.etcd_endpoints, info, settings.registry_ttl)
    original_exit = server.handle_exit

    def handle_exit(sig: int, frame: object) -> None:
        # leave the registry before draining, so nobody is sent here while we stop
        registration.stop()
        original_exit(sig, frame)

    server.handle_exit = handle_exit  # type: ignore[method-assign]
    registration.start()
    log.info("serving", extra={"address": info.address})
    server.run()


if __name__ == "__main__":
    main()
