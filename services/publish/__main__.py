"""`python -m services.publish`: run the publish service until SIGTERM."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from services.launch import run_service
from services.mesh import catalog
from services.mesh.server import ServiceSpec
from services.publish.handler import PublishServicer
from services.publish.service.sweep import start_sweeper
from services.publish.settings import PublishSettings
from services.publish.storage import ObjectStore
from services.views.media import MediaUrls


def build(settings: PublishSettings, sessions: sessionmaker[Session]) -> ServiceSpec:
    """The publish service on the process's settings, database and object store."""
    store = ObjectStore.from_settings(settings)
    servicer = PublishServicer(sessions, store, MediaUrls(settings.media_base_url),
                               settings.max_upload_bytes)
    start_sweeper(sessions, store)
    return ServiceSpec.of(catalog.PUBLISH, servicer)


if __name__ == "__main__":
    run_service(build, PublishSettings)
