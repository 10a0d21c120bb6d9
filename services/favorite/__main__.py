"""`python -m services.favorite`: run the favorite service until SIGTERM."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from protos import favorite_pb2_grpc
from services.common.runtime import run_service
from services.common.server import ServiceSpec
from services.common.settings import ServiceSettings
from services.favorite.handler import PUBLIC_METHODS, FavoriteServicer
from services.views.media import MediaUrls


def build(settings: ServiceSettings, sessions: sessionmaker[Session]) -> ServiceSpec:
    """The favorite service on the process's settings and database."""
    return ServiceSpec.of(
        "dytt.favorite.v1.FavoriteService",
        favorite_pb2_grpc.add_FavoriteServiceServicer_to_server,
        FavoriteServicer(sessions, MediaUrls(settings.media_base_url)), PUBLIC_METHODS,
    )


if __name__ == "__main__":
    run_service(build)
