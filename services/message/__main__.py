"""`python -m services.message`: run the message service until SIGTERM."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from protos import message_pb2_grpc
from services.common.runtime import run_service
from services.common.server import ServiceSpec
from services.common.settings import ServiceSettings
from services.message.handler import PUBLIC_METHODS, MessageServicer


def build(settings: ServiceSettings, sessions: sessionmaker[Session]) -> ServiceSpec:
    """The message service on the process's database."""
    return ServiceSpec.of("dytt.message.v1.MessageService",
                          message_pb2_grpc.add_MessageServiceServicer_to_server,
                          MessageServicer(sessions), PUBLIC_METHODS)


if __name__ == "__main__":
    run_service(build)
