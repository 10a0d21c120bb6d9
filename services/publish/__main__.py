"""`python -m services.publish`: run the publish service until SIGTERM."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from protos import publish_pb2_grpc
from services.common.runtime import run_service
from services.common.server import ServiceSpec
from services.common.settings import ServiceSettings
from services.common.storage import ObjectStore
from services.publish.handler import PUBLIC_METHODS, PublishServicer
from services.publish.service.sweep import start_sweeper
from services.views.media import MediaUrls


def build(settings: ServiceSettings, sessions: sessionmaker[Session]) -> ServiceSpec:
    """The publish service on the process's settings, database and object store."""
    store = ObjectStore.from_settings(settings)
    servicer = PublishServicer(sessions, store, MediaUrls(settings.media_base_url),
                               settings.max_upload_bytes)
    start_sweeper(sessions, store)
    return ServiceSpec.of("dytt.publish.v1.PublishService",
                          publish_pb2_grpc.add_PublishServiceServicer_to_server, servicer,
                          PUBLIC_METHODS)


if __name__ == "__main__":
    run_service(build)
