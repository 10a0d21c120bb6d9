"""`python -m services.message`: run the message service until SIGTERM."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from services.launch import run_service
from services.mesh import catalog
from services.mesh.server import ServiceSpec
from services.mesh.settings import ServiceSettings
from services.message.handler import MessageServicer


def build(settings: ServiceSettings, sessions: sessionmaker[Session]) -> ServiceSpec:
    """The message service on the process's database."""
    return ServiceSpec.of(catalog.MESSAGE, MessageServicer(sessions))


if __name__ == "__main__":
    run_service(build)
