"""`python -m services.publish`: run the publish service (and its media sweep) until SIGTERM."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from services.data.views.media import MediaUrls
from services.launch import run_service
from services.mesh import catalog
from services.mesh.server import ServiceSpec
from services.publish.handler import PublishServicer
from services.publish.service.sweep import start_sweeper
from services.publish.settings import PublishSettings
from services.publish.storage import ObjectStore


def build(settings: PublishSettings, sessions: sessionmaker[Session],
          store: ObjectStore) -> ServiceSpec:
    """The publish service on the process's settings, database and object store."""
    servicer = PublishServicer(sessions, store, MediaUrls(settings.media_base_url),
                               settings.max_upload_bytes)
    return ServiceSpec.of(catalog.PUBLISH, servicer)


def start(settings: PublishSettings, sessions: sessionmaker[Session]) -> ServiceSpec:
    """The process's start-up: its object store, the media sweep in the background, the spec."""
    store = ObjectStore.from_settings(settings)
    # the sweep belongs to the running process, not to the factory: build() starts nothing
    start_sweeper(sessions, store)
    return build(settings, sessions, store)


if __name__ == "__main__":
    run_service(start, PublishSettings)
