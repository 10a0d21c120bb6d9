"""`python -m services.relation`: run the relation service until SIGTERM."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from protos import relation_pb2_grpc
from services.common.runtime import run_service
from services.common.server import ServiceSpec
from services.common.settings import ServiceSettings
from services.relation.handler import PUBLIC_METHODS, RelationServicer
from services.views.media import MediaUrls


def build(settings: ServiceSettings, sessions: sessionmaker[Session]) -> ServiceSpec:
    """The relation service on the process's settings and database."""
    return ServiceSpec.of("dytt.relation.v1.RelationService",
                          relation_pb2_grpc.add_RelationServiceServicer_to_server,
                          RelationServicer(sessions, MediaUrls(settings.media_base_url)),
                          PUBLIC_METHODS)


if __name__ == "__main__":
    run_service(build)
