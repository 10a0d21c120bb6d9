"""`python -m services.feed`: run the feed service until SIGTERM."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from protos import feed_pb2_grpc
from services.common.runtime import run_service
from services.common.server import ServiceSpec
from services.common.settings import ServiceSettings
from services.feed.handler import PUBLIC_METHODS, FeedServicer
from services.views.media import MediaUrls


def build(settings: ServiceSettings, sessions: sessionmaker[Session]) -> ServiceSpec:
    """The feed service on the process's settings and database."""
    return ServiceSpec.of(
        "dytt.feed.v1.FeedService", feed_pb2_grpc.add_FeedServiceServicer_to_server,
        FeedServicer(sessions, MediaUrls(settings.media_base_url)), PUBLIC_METHODS,
    )


if __name__ == "__main__":
    run_service(build)
