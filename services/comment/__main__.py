"""`python -m services.comment`: run the comment service until SIGTERM."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from services.comment.handler import CommentServicer
from services.comment.pack import CommentPacker
from services.data.views.media import MediaUrls
from services.launch import run_service
from services.mesh import catalog
from services.mesh.server import ServiceSpec
from services.mesh.settings import ServiceSettings


def build(settings: ServiceSettings, sessions: sessionmaker[Session]) -> ServiceSpec:
    """The comment service on the process's settings and database."""
    servicer = CommentServicer(sessions, MediaUrls(settings.media_base_url),
                               CommentPacker(ZoneInfo(settings.display_timezone)))
    return ServiceSpec.of(catalog.COMMENT, servicer)


if __name__ == "__main__":
    run_service(build)
