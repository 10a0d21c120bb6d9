"""What every dytt process does first: structured logs and tracing, from its settings."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker

from services.common import logs, tracing
from services.common.db import make_engine, session_factory
from services.common.server import ServiceSpec, serve
from services.common.settings import ServiceSettings


def init_process(settings: ServiceSettings) -> None:
    """Configure JSON logging and the tracer provider of this process."""
    logs.configure(settings.name, settings.instance_id, settings.log_level, settings.log_file)
    tracing.setup(settings.name, settings.zipkin_url, settings.trace_sample_ratio)


def run_service(build: Callable[[ServiceSettings, sessionmaker[Session]], ServiceSpec]) -> None:
    """`python -m services.<name>`: settings, logs, tracing, the database, then serve until SIGTERM.

    `build` makes the service's ServiceSpec from the settings and a session factory.
    """
    settings = ServiceSettings()  # type: ignore[call-arg]
    init_process(settings)
    if settings.database_url is None:
        raise SystemExit(f"{settings.name}: DYTT_SVC_DATABASE_URL is not set")
    engine = make_engine(settings.database_url.get_secret_value())
    tracing.trace_engine(engine)
    serve(settings, build(settings, session_factory(engine)))
