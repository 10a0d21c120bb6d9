"""The gateway's app factory."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI

from gateway import errors
from gateway.auth import TokenVerifier
from gateway.clients import Clients, connect
from gateway.deps import Services
from gateway.limits import Limits
from gateway.routes import comment, favorite, feed, message, publish, relation, user
from gateway.settings import GatewaySettings
from pki.store import PkiStore


def create_app(settings: GatewaySettings,
               clients_factory: Callable[[], Clients] | None = None) -> FastAPI:
    """The FastAPI app; its lifespan connects to the services and closes the connections."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        clients = (clients_factory or (lambda: connect(settings)))()
        verifier = TokenVerifier(PkiStore(settings.pki_dir).load_jwt_public)
        app.state.services = Services(clients, verifier, settings,
                                      Limits(settings.limit_settings()))
        try:
            yield
        finally:
            await clients.close()

    # the request's span is the guard middleware's (gateway.errors.Guard): FastAPI's own
    # telemetry would make a second one, and record the query string, which holds the token
    app = FastAPI(title="dytt gateway", lifespan=lifespan, redirect_slashes=False,
                  telemetry={"tracing": False, "metrics": False, "logs": False})
    app.state.settings = settings
    errors.install(app)
    for module in (feed, user, publish, favorite, comment, relation, message):
        app.include_router(module.router)

    # a coroutine like every route: a probe needs no hop to the thread pool
    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app
