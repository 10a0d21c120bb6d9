"""`python -m services.favorite`: run the favorite service until SIGTERM."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from services.data.views.media import MediaUrls
from services.favorite.handler import FavoriteServicer
from services.launch import run_service
from services.mesh import catalog
from services.mesh.server import ServiceSpec
from services.mesh.settings import ServiceSettings


def build(settings: ServiceSettings, sessions: sessionmaker[Session]) -> ServiceSpec:
    """The favorite service on the process's settings and database."""
    return ServiceSpec.of(catalog.FAVORITE,
                          FavoriteServicer(sessions, MediaUrls(settings.media_base_url)))


if __name__ == "__main__":
    run_service(build)
