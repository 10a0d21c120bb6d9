"""`python -m services.feed`: run the feed service until SIGTERM."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from services.data.views.media import MediaUrls
from services.feed.handler import FeedServicer
from services.launch import run_service
from services.mesh import catalog
from services.mesh.server import ServiceSpec
from services.mesh.settings import ServiceSettings


def build(settings: ServiceSettings, sessions: sessionmaker[Session]) -> ServiceSpec:
    """The feed service on the process's settings and database."""
    return ServiceSpec.of(catalog.FEED, FeedServicer(sessions, MediaUrls(settings.media_base_url)))


if __name__ == "__main__":
    run_service(build)
