"""`python -m services.comment`: run the comment service until SIGTERM."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from protos import comment_pb2_grpc
from services.comment.handler import PUBLIC_METHODS, CommentServicer
from services.comment.pack import CommentPacker
from services.common.runtime import run_service
from services.common.server import ServiceSpec
from services.common.settings import ServiceSettings
from services.views.media import MediaUrls


def build(settings: ServiceSettings, sessions: sessionmaker[Session]) -> ServiceSpec:
    """The comment service on the process's settings and database."""
    servicer = CommentServicer(sessions, MediaUrls(settings.media_base_url),
                               CommentPacker(ZoneInfo(settings.display_timezone)))
    return ServiceSpec.of("dytt.comment.v1.CommentService",
                          comment_pb2_grpc.add_CommentServiceServicer_to_server, servicer,
                          PUBLIC_METHODS)


if __name__ == "__main__":
    run_service(build)
