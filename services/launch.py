"""The entry point of every gRPC service process (`python -m services.<name>`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.orm import Session, sessionmaker

from services.data.db import make_engine, session_factory
from services.mesh import tracing
from services.mesh.runtime import init_process
from services.mesh.server import ServiceSpec, serve
from services.mesh.settings import ServiceSettings

Settings = TypeVar("Settings", bound=ServiceSettings)


def run_service(build: Callable[[Settings, sessionmaker[Session]], ServiceSpec],
                settings_type: type[Settings] = ServiceSettings) -> None:  # type: ignore[assignment]
    """Settings, logs, tracing, the database, then serve until SIGTERM.

    `build` makes the service's ServiceSpec from its settings and a session factory.
    """
    settings = settings_type()  # type: ignore[call-arg]
    init_process(settings)
    engine = make_engine(settings.database_url.get_secret_value(), pool_size=settings.workers)
    tracing.trace_engine(engine)
    serve(settings, build(settings, session_factory(engine)))
